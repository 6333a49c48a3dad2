package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;

/**
 * Checks a planned test against the policy in the reflector's {@code server_hello} before any
 * session is requested, so a test the reflector would refuse costs neither a session nor a slot
 * of the peer's hourly allowance.
 */
public final class Preflight {

    private Preflight() {}

    /** @throws IllegalArgumentException saying what to change */
    public static void check(Payload.ServerHello hello, String testType, int durationSec) {
        Payload.PolicySummary policy = hello.policySummary();
        if (policy == null) return;
        if (policy.allowedTestTypes() != null && !policy.allowedTestTypes().contains(testType)) {
            throw new IllegalArgumentException("this reflector does not offer " + testType + " tests (it offers: "
                    + String.join(", ", policy.allowedTestTypes()) + ")");
        }
        if (durationSec > policy.maxTestDurationSec()) {
            throw new IllegalArgumentException("the " + testType + " test needs a " + durationSec
                    + " s session and this reflector allows at most " + policy.maxTestDurationSec()
                    + " s; ask for a shorter test");
        }
    }
}
