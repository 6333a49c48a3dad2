package io.packetparamedic.reflector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** The STAMP packet captures in test resources ({@code /stamp/*.hex}: hex, spaces and # comments). */
public final class StampGolden {

    private StampGolden() {}

    public static byte[] bytes(String name) throws IOException {
        try (InputStream in = StampGolden.class.getResourceAsStream("/stamp/" + name + ".hex")) {
            if (in == null) throw new IOException("no STAMP capture " + name);
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .lines()
                    .filter(line -> !line.startsWith("#"))
                    .map(line -> line.replace(" ", ""))
                    .collect(Collectors.joining());
            return HexFormat.of().parseHex(hex);
        }
    }
}
