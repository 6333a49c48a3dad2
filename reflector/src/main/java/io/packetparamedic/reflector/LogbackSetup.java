package io.packetparamedic.reflector;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The reflector's logging, set up in code (Logback finds this through
 * {@code META-INF/services}): one line per event, key=value or JSON ({@link LogFormat}), on stderr (stdout is reserved for
 * command output such as the Endpoint ID); {@code io.netty} at WARN; {@code serve} then sets the
 * root level from {@code [logging] level} ({@link LogLevels}). Done in code rather than in a
 * {@code logback.xml} because reading XML costs the process some 400 classes (Logback's Joran
 * and the JDK's XML parser), about a tenth of its start-up CPU and a few MiB of an idle
 * reflector's memory.
 *
 * <p>A {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on the class path (test
 * set-ups of other modules) takes precedence: this configurator then steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {

    /** {@code %safemsg}: the message with control characters escaped ({@link EscapedMessageConverter}). */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} level=%level logger=%logger{0} %safemsg%n";
    /** The stderr appender's name, by which {@link LogFormat#apply} finds it. */
    static final String APPENDER = "STDERR";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogbackSetup.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null
                || (loader != null && loader.getResource("logback-test.xml") != null)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        NopStatusListener quiet = new NopStatusListener();
        context.getStatusManager().add(quiet);

        // The environment, because this runs at the first log call, before options are parsed;
        // --log-format then switches with LogFormat.apply.
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(LogFormat.fromEnv(System.getenv()).encoder(context));
        stderr.start();

        context.getLogger("io.netty").setLevel(Level.WARN);
        // When the API server goes away under a watch, Fabric8's JDK WebSocket warns with a stack
        // trace that its close frame could not be sent, and the watch manager logs each failed
        // reconnect with one at INFO; the informers reconnect on their own, and the outage itself
        // is logged in one line (event=api_unreachable, event=api_reachable).
        context.getLogger("io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl")
                .setLevel(Level.ERROR);
        context.getLogger("io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager")
                .setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The one-line-per-event encoder, with {@code %safemsg} registered in {@code context}. */
    static PatternLayoutEncoder encoder(LoggerContext context) {
        @SuppressWarnings("unchecked")
        Map<String, Supplier<DynamicConverter>> rules = (Map<String, Supplier<DynamicConverter>>)
                context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.put("safemsg", EscapedMessageConverter::new);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }
}
