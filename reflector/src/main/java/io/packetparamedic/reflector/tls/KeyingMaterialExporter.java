package io.packetparamedic.reflector.tls;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.jsse.BCExtendedSSLSession;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLSocket;

/**
 * The TLS 1.3 exporter of one established connection (RFC 8446 section 7.5):
 * {@code TLS-Exporter(label, context, length)}, or unavailable with the reason. BCJSSE
 * connections use BouncyCastle's {@code BCExtendedSSLSession.exportKeyingMaterialData} where the
 * release implements it, else {@link BouncyCastleExporters} (bctls 1.84 declares that method but
 * does not implement it, and for {@link TlsExporterLabels their labels} only); SunJSSE
 * connections use {@code ExtendedSSLSession.exportKeyingMaterialData}, which exists from Java 25
 * on and is reached through a method handle, since this code is compiled for Java 17. On an older
 * JDK a SunJSSE connection has no exporter at all.
 *
 * <p>The output is key material: callers must never log it.
 */
public final class KeyingMaterialExporter {

    /** The setting to change when the exporter is missing, for the error a peer and an operator read. */
    public static final String UNAVAILABLE_REASON = "this reflector's TLS provider offers no TLS 1.3 exporter on Java "
            + Runtime.version().feature()
            + " (the JDK has one from Java 25 on); set network.tls_provider = \"bc\" to enable it";

    /** The JDK's exporter method, present from Java 25 on; null before. */
    private static final MethodHandle JDK_EXPORTER = jdkExporter();

    /** An exporter that never has anything to export (tests, connections without TLS). */
    public static final KeyingMaterialExporter NONE = new KeyingMaterialExporter(null, null);

    /** BouncyCastle's engine or socket of a BCJSSE connection, else null. */
    private final Object bc;

    private final SSLSession jdk;

    private KeyingMaterialExporter(Object bc, SSLSession jdk) {
        this.bc = bc;
        this.jdk = jdk;
    }

    /** The exporter of the connection {@code engine} runs, once its handshake is complete. */
    public static KeyingMaterialExporter of(SSLEngine engine) {
        SSLEngine provider = unwrapped(engine);
        if (provider instanceof BCSSLEngine b) return new KeyingMaterialExporter(b, null);
        return new KeyingMaterialExporter(null, provider.getSession());
    }

    /**
     * The provider's own engine. Netty wraps it for ALPN in its package-private {@code
     * JdkSslEngine}, whose public {@code getWrappedEngine()} is the only way back to it (the
     * wrapper's session hides BouncyCastle's exporter behind the JDK 17 session type).
     */
    private static SSLEngine unwrapped(SSLEngine engine) {
        SSLEngine current = engine;
        for (int depth = 0; depth < 4 && !(current instanceof BCSSLEngine); depth++) {
            Optional<Method> inner = WRAPPED_ENGINE.get(current.getClass());
            if (inner.isEmpty()) break;
            try {
                Object next = inner.get().invoke(current);
                if (!(next instanceof SSLEngine e) || e == current) break;
                current = e;
            } catch (ReflectiveOperationException | RuntimeException e) {
                break;
            }
        }
        return current;
    }

    /**
     * Each engine class's {@code getWrappedEngine()}, looked up once per class: a failed
     * {@code getMethod} throws, and the provider's own engine (which has none) is reached on
     * every connection.
     */
    private static final ClassValue<Optional<Method>> WRAPPED_ENGINE = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            try {
                Method inner = type.getMethod("getWrappedEngine");
                inner.setAccessible(true);
                return Optional.of(inner);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Optional.empty();
            }
        }
    };

    /** The exporter of a connected client socket. */
    public static KeyingMaterialExporter of(SSLSocket socket) {
        if (socket instanceof BCSSLSocket b) return new KeyingMaterialExporter(b, null);
        return new KeyingMaterialExporter(null, socket.getSession());
    }

    /**
     * Wipes and drops what was kept for this connection's exporter (BCJSSE only; SunJSSE keeps its
     * own): called when the connection closes, so the secret lives no longer than the connection.
     */
    public void forget() {
        if (bc != null) BouncyCastleExporters.forget(bc);
    }

    /** Whether {@link #export} can succeed on this connection. */
    public boolean available() {
        return (bc != null && BouncyCastleExporters.captured(bc))
                || (jdk instanceof ExtendedSSLSession && JDK_EXPORTER != null);
    }

    /**
     * {@code TLS-Exporter(label, context, length)} of this connection, or empty when it has no
     * exporter or the provider refused (a connection that is not TLS 1.3, a closed session).
     */
    public Optional<byte[]> export(String label, byte[] context, int length) {
        try {
            if (bc != null) return Optional.ofNullable(bouncyCastle(label, context, length));
            if (!available()) return Optional.empty();
            return Optional.ofNullable((byte[]) JDK_EXPORTER.invoke((ExtendedSSLSession) jdk, label, context, length));
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // Not TLS 1.3, a closed connection, a provider without an exporter: no key.
            return Optional.empty();
        }
    }

    private byte[] bouncyCastle(String label, byte[] context, int length) throws Throwable {
        BCExtendedSSLSession session =
                bc instanceof BCSSLEngine e ? e.getBCSession() : ((BCSSLSocket) bc).getBCSession();
        try {
            return session.exportKeyingMaterialData(label, context, length);
        } catch (RuntimeException e) {
            // Not implemented (bctls 1.84 throws UnsupportedOperationException), or the session's
            // own exporter secret already destroyed: the one captured in the handshake serves.
            return BouncyCastleExporters.export(bc, label, context, length).orElse(null);
        }
    }

    private static MethodHandle jdkExporter() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(
                            ExtendedSSLSession.class,
                            "exportKeyingMaterialData",
                            MethodType.methodType(byte[].class, String.class, byte[].class, int.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return available() ? "KeyingMaterialExporter[available]" : "KeyingMaterialExporter[unavailable]";
    }
}
