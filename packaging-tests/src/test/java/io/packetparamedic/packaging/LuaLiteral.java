package io.packetparamedic.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a JSON tree as a Lua 5.1 table constructor, the way Argo CD hands a resource to a
 * health script: objects become tables with string keys, arrays become 1-based sequences,
 * numbers stay numbers, JSON null becomes nil.
 */
final class LuaLiteral {

    private LuaLiteral() {}

    static String of(JsonNode node) {
        StringBuilder out = new StringBuilder();
        append(out, node);
        return out.toString();
    }

    private static void append(StringBuilder out, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("nil");
        } else if (node.isObject()) {
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isNull()) {
                    continue; // a nil value is no entry at all in a Lua table
                }
                out.append('[');
                appendString(out, field.getKey());
                out.append("]=");
                append(out, field.getValue());
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('{');
            for (JsonNode element : node) {
                append(out, element);
                out.append(',');
            }
            out.append('}');
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else if (node.isNumber()) {
            out.append(node.doubleValue());
        } else {
            appendString(out, node.asText());
        }
    }

    /** A double-quoted Lua string; every byte outside printable ASCII as a decimal escape. */
    static void appendString(StringBuilder out, String value) {
        out.append('"');
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                // Always three digits: a shorter escape would swallow a following digit.
                out.append(String.format("\\%03d", c));
            }
        }
        out.append('"');
    }

    static String string(String value) {
        StringBuilder out = new StringBuilder();
        appendString(out, value);
        return out.toString();
    }
}
