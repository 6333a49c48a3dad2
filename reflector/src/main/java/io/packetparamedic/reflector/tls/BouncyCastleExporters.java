package io.packetparamedic.reflector.tls;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.crypto.CryptoHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsCryptoUtils;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * The TLS 1.3 exporter of BCJSSE connections, for the labels in {@link #LABELS}. bctls 1.84 (the
 * newest release Maven Central serves here) declares {@code BCExtendedSSLSession
 * .exportKeyingMaterialData} but does not implement it, and destroys the exporter master secret
 * once the handshake completes, so its own {@code exportKeyingMaterial} works only inside its
 * handshake-completed callback, which an {@code SSLEngine} user cannot reach.
 *
 * <p>So the secret is read while the handshake still holds it: on the server from its trust
 * manager (the client's Certificate arrives after the server's Finished), on the client from the
 * plain socket under BCJSSE's ({@link ExporterCapturingSocket}), which BCJSSE asks for the peer's
 * port while it completes the handshake. Both call {@link #capture} with BouncyCastle's engine or
 * socket, whose TLS context is reached reflectively. What is kept per connection is not the
 * exporter master secret but {@code Derive-Secret(exporter_master_secret, label, "")} for each of
 * our labels (RFC 8446 section 7.5), from which only exports with those labels can be computed;
 * {@link #export} then finishes {@code TLS-Exporter(label, context, length)} with HKDF. Entries
 * go with their connection (weak keys).
 */
final class BouncyCastleExporters {

    /** The labels whose exports are kept possible after the handshake. */
    static final java.util.List<String> LABELS = java.util.List.of(TlsExporterLabels.STAMP);

    private record Captured(int hash, Map<String, byte[]> derivedByLabel) {}

    private static final Map<Object, Captured> CAPTURED = Collections.synchronizedMap(new WeakHashMap<>());

    private BouncyCastleExporters() {}

    /**
     * Called by the trust and key managers with the transport BCJSSE hands them: keeps the
     * derived secrets of a BouncyCastle connection whose exporter master secret is there; ignores
     * anything else (SunJSSE transports, a call before the secret exists).
     */
    static void capture(Object transport) {
        if (transport == null
                || CAPTURED.containsKey(transport)
                || !transport.getClass().getName().startsWith("org.bouncycastle.")) return;
        try {
            SecurityParameters parameters = handshakeParameters(transport);
            if (parameters == null || parameters.getExporterMasterSecret() == null) return;
            int hash = parameters.getPRFCryptoHashAlgorithm();
            byte[] emptyHash = digest(hash).digest();
            Map<String, byte[]> derived = new java.util.HashMap<>();
            for (String label : LABELS) {
                TlsSecret secret = TlsCryptoUtils.hkdfExpandLabel(
                        parameters.getExporterMasterSecret(), hash, label, emptyHash, emptyHash.length);
                derived.put(label, secret.extract());
            }
            CAPTURED.put(transport, new Captured(hash, derived));
        } catch (ReflectiveOperationException | RuntimeException | java.io.IOException e) {
            // Another bctls layout: no exporter for this connection, which callers report.
        }
    }

    /** {@code TLS-Exporter(label, context, length)} of a captured connection, else empty. */
    static Optional<byte[]> export(Object transport, String label, byte[] context, int length) {
        Captured captured = CAPTURED.get(transport);
        if (captured == null) return Optional.empty();
        byte[] derived = captured.derivedByLabel().get(label);
        if (derived == null) return Optional.empty();
        byte[] contextHash = digest(captured.hash()).digest(context == null ? new byte[0] : context);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(hkdfDigest(captured.hash()));
        hkdf.init(HKDFParameters.skipExtractParameters(derived, hkdfLabel("exporter", contextHash, length)));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return Optional.of(out);
    }

    /** Zeroes and drops what {@link #capture} kept for {@code transport}. */
    static void forget(Object transport) {
        Captured captured = CAPTURED.remove(transport);
        if (captured != null) captured.derivedByLabel().values().forEach(secret -> Arrays.fill(secret, (byte) 0));
    }

    /** Whether {@link #capture} kept secrets for {@code transport}. */
    static boolean captured(Object transport) {
        return CAPTURED.containsKey(transport);
    }

    /** The {@code HkdfLabel} structure of RFC 8446 section 7.1. */
    private static byte[] hkdfLabel(String label, byte[] context, int length) {
        byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(length >>> 8);
        out.write(length & 0xFF);
        out.write(full.length);
        out.write(full, 0, full.length);
        out.write(context.length);
        out.write(context, 0, context.length);
        return out.toByteArray();
    }

    private static SecurityParameters handshakeParameters(Object transport) throws ReflectiveOperationException {
        Field field = findField(transport.getClass(), "protocol");
        field.setAccessible(true);
        Object protocol = field.get(transport);
        if (!(protocol instanceof TlsProtocol)) return null;
        Method getContext = TlsProtocol.class.getDeclaredMethod("getContext");
        getContext.setAccessible(true);
        TlsContext context = (TlsContext) getContext.invoke(protocol);
        if (context == null) return null;
        // During the handshake its own parameters; inside the handshake-completed callback, where
        // the client gets its only chance, already the connection's (not yet cleared).
        SecurityParameters handshake = context.getSecurityParametersHandshake();
        return handshake != null ? handshake : context.getSecurityParametersConnection();
    }

    private static Field findField(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static MessageDigest digest(int hash) {
        try {
            return MessageDigest.getInstance(hash == CryptoHashAlgorithm.sha384 ? "SHA-384" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Digest hkdfDigest(int hash) {
        if (hash == CryptoHashAlgorithm.sha384) return new SHA384Digest();
        if (hash == CryptoHashAlgorithm.sha256) return new SHA256Digest();
        throw new IllegalArgumentException("no TLS 1.3 cipher suite hashes with " + hash);
    }
}
