package io.packetparamedic.reflector.client;

import io.packetparamedic.reflector.wire.Payload;
import java.io.IOException;

/**
 * A granted session this client holds. {@link #close} sends {@code session_close} once, whatever
 * happened (a failed iperf3, Ctrl-C from a shutdown hook on another thread), so the reflector's
 * slot is free again at once rather than at expiry.
 */
public final class OpenSession implements AutoCloseable {

    private final LinkClient link;
    private final Payload.SessionGrant grant;
    private boolean closed;

    OpenSession(LinkClient link, Payload.SessionGrant grant) {
        this.link = link;
        this.grant = grant;
    }

    public Payload.SessionGrant grant() {
        return grant;
    }

    /** The granted duration, or {@code requested} from a reflector that does not say. */
    public int durationSec(int requested) {
        return grant.durationSec() != null ? grant.durationSec() : requested;
    }

    /** The granted streams, or {@code requested} from a reflector that does not say. */
    public int streams(int requested) {
        return grant.streams() != null ? grant.streams() : requested;
    }

    @Override
    public void close() {
        release();
    }

    /** Closes the session; false when the reflector could not be told (it ends it at expiry then). */
    public boolean release() {
        synchronized (link) {
            if (closed) return true;
            closed = true;
            try {
                link.sessionClose(grant.testId());
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
