package io.packetparamedic.reflector.engine;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * A UDP exchange with a chosen IP TTL / Hop Limit and TOS / Traffic Class (the JDK sets no unicast
 * TTL), reporting the TOS octet the answer arrived with: the test-only library {@code
 * libppdatatest.so} (reflector/src/test/c), built beside the test classes with the native profile.
 */
final class MarkedSender {

    static {
        try {
            System.load(Path.of(MarkedSender.class
                            .getResource("/native/linux-x86_64/libppdatatest.so")
                            .toURI())
                    .toString());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private MarkedSender() {}

    /**
     * Sends {@code payload} to the loopback address on {@code port} from a fresh socket and waits
     * for one answer.
     *
     * @param replyTos gets the answer's TOS / Traffic Class octet at index 0 (-1: not reported)
     * @return the answer, or null when none came within the timeout
     */
    static native byte[] exchange(
            boolean ipv6, int port, byte[] payload, int ttl, int tos, int timeoutMillis, int[] replyTos);
}
