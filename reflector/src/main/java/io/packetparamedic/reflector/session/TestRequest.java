package io.packetparamedic.reflector.session;

/**
 * A request for a test as the session layer decides it: the test type as the peer named it (it may
 * name none this reflector knows) and its parameters, absent or partly filled as they arrived.
 * The rpc layer builds it from a {@code session_request}.
 */
public record TestRequest(String testType, Params params) {

    /**
     * {@code duration_sec} is required for a grant; the others may be null. Audited as given.
     * {@code stampMode} is the STAMP mode a {@code stamp} request asks for (null: unauthenticated).
     */
    public record Params(Integer durationSec, String protocol, Integer streams, Boolean reverse, String stampMode) {

        public Params(Integer durationSec, String protocol, Integer streams, Boolean reverse) {
            this(durationSec, protocol, streams, reverse, null);
        }
    }
}
