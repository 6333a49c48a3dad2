package io.packetparamedic.reflector.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The golden frames of the deployed appliance client, under {@code /field-client/} on the test class path. */
public final class FieldClientGolden {

    private FieldClientGolden() {}

    public static String text(String name) {
        try (InputStream in = FieldClientGolden.class.getResourceAsStream("/field-client/" + name)) {
            if (in == null) throw new IllegalArgumentException("no golden file " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(String name) {
        try {
            return FieldClient.JSON.readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
