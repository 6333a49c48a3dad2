package io.packetparamedic.kubectl.doctor;

/** One line of the doctor's report. */
record Finding(Level level, String check, String reason) {

    enum Level {
        OK,
        WARN,
        FAIL
    }

    static Finding ok(String check, String reason) {
        return new Finding(Level.OK, check, reason);
    }

    static Finding warn(String check, String reason) {
        return new Finding(Level.WARN, check, reason);
    }

    static Finding fail(String check, String reason) {
        return new Finding(Level.FAIL, check, reason);
    }
}
