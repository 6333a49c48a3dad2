package io.packetparamedic.reflector.session;

import java.time.Instant;

/** A running session as status reporting shows it. */
public record ActiveSession(
        String testId, TestType testType, String peerId, int port, Instant startedAt, Instant expiresAt) {}
