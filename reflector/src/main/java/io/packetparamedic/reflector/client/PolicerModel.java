package io.packetparamedic.reflector.client;

/**
 * The client's model of the reflector's UDP echo policing, so a probe the reflector drops on
 * purpose is reported as policed rather than as network loss. The reflector answers at most
 * {@code rate} datagrams a second with a burst of a tenth of that (its token bucket); this is the
 * same limit in its virtual-scheduling form (GCRA): a probe conforms unless it comes earlier than
 * its theoretical arrival time less the burst allowance.
 */
final class PolicerModel {

    private final long emissionNanos;
    private final long toleranceNanos;
    private long theoreticalArrival = Long.MIN_VALUE;

    /** {@code rate} per second; 0 or less means no policing. */
    PolicerModel(long rate) {
        this.emissionNanos = rate <= 0 ? 0 : 1_000_000_000L / rate;
        long burst = Math.max(1, rate / 10);
        this.toleranceNanos = (burst - 1) * emissionNanos;
    }

    /** True when the reflector would answer a probe sent at {@code nowNanos}. */
    boolean conforms(long nowNanos) {
        if (emissionNanos == 0) return true;
        if (theoreticalArrival == Long.MIN_VALUE || theoreticalArrival < nowNanos) theoreticalArrival = nowNanos;
        if (theoreticalArrival - nowNanos > toleranceNanos) return false;
        theoreticalArrival += emissionNanos;
        return true;
    }
}
