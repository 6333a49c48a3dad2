package io.packetparamedic.api.config;

/** A configuration cannot be used. The message names the file and, where known, the key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
