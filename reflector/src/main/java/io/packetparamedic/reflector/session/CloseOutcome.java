package io.packetparamedic.reflector.session;

/** What became of a request to end a test early. */
public enum CloseOutcome {
    /** The test was the peer's and is stopping. */
    CLOSED,
    /** No such test is running. */
    NO_SUCH_TEST,
    /** The test belongs to another peer and goes on. */
    NOT_OWNER
}
