package io.packetparamedic.reflector.wire;

/** One Paramedic Link message: the request's ID (echoed by the response) and its payload. */
public record Envelope(String requestId, Payload payload) {}
