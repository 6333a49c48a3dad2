package io.packetparamedic.reflector.rpc;

import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.ProtocolException;

/**
 * One decoded frame as the dispatcher receives it: a request, or a frame that could not be
 * understood. Malformed frames travel the same path as requests so their {@code error} replies
 * keep the connection's response order.
 */
public sealed interface InboundMessage {

    record Request(Envelope envelope) implements InboundMessage {}

    record Malformed(ProtocolException problem) implements InboundMessage {}
}
