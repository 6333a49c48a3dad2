package io.packetparamedic.reflector;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The log message with control characters escaped ({@code \n}, {@code \r}, {@code \t}, and a
 * {@code \\u} escape with four hex digits for the rest and for the Unicode line and paragraph
 * separators), so that one event stays one line. Log messages carry values that peers chose —
 * certificate names, request fields, addresses — and a newline in one of them would otherwise let
 * a peer write a whole forged {@code event=…} line into the log that operators read. Escaping
 * here, in the layout, covers every call site at once instead of relying on each to remember.
 */
public final class EscapedMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escape(event.getFormattedMessage());
    }

    static String escape(String message) {
        if (message == null) return "null";
        int i = 0;
        while (i < message.length() && !needsEscape(message.charAt(i))) i++;
        if (i == message.length()) return message;
        StringBuilder sb = new StringBuilder(message.length() + 16).append(message, 0, i);
        for (; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (needsEscape(c)) sb.append(String.format("\\u%04X", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }
}
