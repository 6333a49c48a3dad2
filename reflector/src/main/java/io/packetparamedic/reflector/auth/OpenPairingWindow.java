package io.packetparamedic.reflector.auth;

import java.time.Instant;
import java.util.Optional;

/** An open pairing window as status shows it: never the code. {@code expiresAt} is empty for a config code without expiry. */
public record OpenPairingWindow(String window, Optional<Instant> expiresAt) {}
