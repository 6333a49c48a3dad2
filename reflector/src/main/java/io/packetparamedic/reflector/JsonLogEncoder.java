package io.packetparamedic.reflector;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * {@code --log-format json}: Logback's JSON encoder, one object per line, with the keys the
 * operator's Quarkus JSON logging also writes (docs/observability.md#json-logs): {@code timestamp}
 * as ISO-8601 text rather than Logback's epoch milliseconds, {@code level}, {@code loggerName},
 * {@code threadName}, {@code message} (formatted: Logback's own {@code message} is the raw
 * pattern with its {@code {}} placeholders), {@code mdc} (an object, often empty) and
 * {@code throwable} (null without one).
 * JSON string escaping keeps a peer-supplied newline inside its event, as {@code %safemsg} does
 * in text.
 */
public final class JsonLogEncoder extends JsonEncoder {

    public JsonLogEncoder() {
        setWithSequenceNumber(false);
        setWithTimestamp(false);
        setWithNanoseconds(false);
        setWithContext(false);
        // The reflector uses neither markers nor SLF4J's key-value API: no empty fields for them.
        setWithMarkers(false);
        setWithKVPList(false);
        setWithMessage(false);
        setWithArguments(false);
        setWithFormattedMessage(false);
    }

    /** Level is always written before this, so each field starts with its separator. */
    @Override
    protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
        sb.append(",\"timestamp\":\"").append(event.getInstant()).append('"');
        sb.append(",\"message\":\"");
        JsonStringEncoder.getInstance().quoteAsString(String.valueOf(event.getFormattedMessage()), sb);
        sb.append('"');
    }
}
