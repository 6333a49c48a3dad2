package io.packetparamedic.reflector.session;

import java.time.Instant;

/** The test a status snapshot shows: {@code startedAt} on the wall clock, whole seconds until it expires. */
public record RunningTest(String testId, TestType testType, String peerId, Instant startedAt, long remainingSec) {}
