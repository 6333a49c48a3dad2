package io.packetparamedic.reflector.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.packetparamedic.reflector.governance.PlainWords;

/** Formatting shared by the commands' readable and JSON output. */
final class Output {
    /** snake_case JSON, the same shape the wire and the admin channel use. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    private Output() {}

    /** 3725 → "1h 2m 5s". */
    static String duration(long seconds) {
        long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, s = seconds % 60;
        StringBuilder sb = new StringBuilder();
        if (d > 0) sb.append(d).append("d ");
        if (d > 0 || h > 0) sb.append(h).append("h ");
        if (d > 0 || h > 0 || m > 0) sb.append(m).append("m ");
        return sb.append(s).append('s').toString();
    }

    /** Decimal units, as iperf3 and the quotas count: 5000000000 → "5.00 GB (5000000000 bytes)". */
    static String bytes(long n) {
        return n < 1000 ? PlainWords.bytes(n) : PlainWords.bytes(n) + " (" + n + " bytes)";
    }
}
