package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;

/** The two data paths the UDP echo and STAMP engine tests run on. */
enum DataPath {
    NATIVE(true),
    NETTY(false);

    final boolean nativePath;

    DataPath(boolean nativePath) {
        this.nativePath = nativePath;
    }

    /**
     * The transport a session on this path must report. The native path is required wherever the
     * build packed its library (gcc present); a build without it skips the native cases.
     */
    String expectedTransport() {
        if (!nativePath) return Epoll.isAvailable() ? "epoll" : "nio";
        boolean built = DataPath.class.getResource("/native/linux-x86_64/libppdata.so") != null;
        assumeTrue(built, "libppdata.so was not built (no gcc)");
        assertThat(NativeUdp.available())
                .as("%s", NativeUdp.unavailabilityCause())
                .isTrue();
        return "native";
    }
}
