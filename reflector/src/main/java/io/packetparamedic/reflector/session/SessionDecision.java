package io.packetparamedic.reflector.session;

import io.packetparamedic.reflector.wire.DenyReason;
import java.time.Instant;
import java.util.List;

/** The answer to a {@link TestRequest}: a grant, or a denial; the rpc layer turns it into a message. */
public sealed interface SessionDecision {

    /**
     * A session that runs: its data port accepts traffic already. {@code expiresAt} is on the wall
     * clock; {@code streams} is set for throughput tests and {@code packetRate} for UDP echo; the
     * cooldown and the bytes the peer has left today are this peer's, under the configuration in
     * force at the grant. {@code stampModes} is set for STAMP: the modes the peer's connection can
     * have (authenticated only where its TLS has an exporter).
     */
    record Granted(
            String testId,
            int port,
            String token,
            Instant expiresAt,
            int durationSec,
            Integer streams,
            Long packetRate,
            int cooldownSec,
            long bytesRemainingToday,
            List<StampMode> stampModes)
            implements SessionDecision {

        /** A grant of a test other than STAMP. */
        public Granted(
                String testId,
                int port,
                String token,
                Instant expiresAt,
                int durationSec,
                Integer streams,
                Long packetRate,
                int cooldownSec,
                long bytesRemainingToday) {
            this(
                    testId,
                    port,
                    token,
                    expiresAt,
                    durationSec,
                    streams,
                    packetRate,
                    cooldownSec,
                    bytesRemainingToday,
                    null);
        }
    }

    /** A refusal a peer can act on: why, in plain words, and when to try again if that is known. */
    record Denied(DenyReason reason, String message, Long retryAfterSec) implements SessionDecision {}
}
