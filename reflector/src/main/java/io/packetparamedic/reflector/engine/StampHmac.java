package io.packetparamedic.reflector.engine;

import io.netty.buffer.ByteBuf;
import io.packetparamedic.reflector.tls.KeyingMaterialExporter;
import io.packetparamedic.reflector.tls.TlsExporterLabels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC of authenticated STAMP (RFC 8762 section 4.4, RFC 8972 section 4.8): HMAC-SHA-256 with
 * the session's key, truncated to its first 128 bits. Verification compares in constant time
 * ({@link MessageDigest#isEqual}), so a forger learns nothing from how fast a packet is dropped.
 *
 * <p>One instance per session and thread: it keeps a {@link Mac}, which is not thread-safe. The
 * key is never shown, not even by {@link #toString()}.
 */
public final class StampHmac {

    private static final String ALGORITHM = "HmacSHA256";

    /** The TLS exporter label of a session's key (RFC 8446 section 7.5), ASCII. */
    public static final String EXPORTER_LABEL = TlsExporterLabels.STAMP;
    /** Octets of key taken from the exporter: as long as the SHA-256 output. */
    public static final int KEY_LENGTH = 32;

    private final Mac mac;

    private StampHmac(Mac mac) {
        this.mac = mac;
    }

    /** An HMAC keyed with {@code key} (the caller may wipe its copy afterwards). */
    public static StampHmac of(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return new StampHmac(mac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
    }

    /**
     * The key of session {@code sessionId} on the control connection {@code tls}: {@code
     * TLS-Exporter("EXPORTER-pp-link-stamp", UTF-8 bytes of the session id, 32)}. Both ends derive
     * it from their own view of the same TLS 1.3 connection; it never crosses the wire. Empty when
     * the connection has no exporter.
     */
    public static Optional<StampHmac> forSession(KeyingMaterialExporter tls, String sessionId) {
        Optional<byte[]> key = tls.export(EXPORTER_LABEL, sessionId.getBytes(StandardCharsets.UTF_8), KEY_LENGTH);
        if (key.isEmpty() || key.get().length != KEY_LENGTH) return Optional.empty();
        try {
            return Optional.of(of(key.get()));
        } finally {
            Arrays.fill(key.get(), (byte) 0);
        }
    }

    /** A fresh instance with the same key, for another thread. */
    public StampHmac copy() {
        try {
            return new StampHmac((Mac) mac.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HMAC-SHA-256 cannot be cloned", e);
        }
    }

    /** Writes the HMAC of the base packet at {@code p[at]}: over its first 96 octets, into the next 16. */
    public void signBase(ByteBuf p, int at) {
        p.setBytes(at + StampPacket.AUTH_HMAC, tag(p, at, at + StampPacket.AUTH_HMAC, p, 0, 0));
    }

    /** Whether the base packet at {@code p[at]} (at least 112 octets) carries a valid HMAC. */
    public boolean verifyBase(ByteBuf p, int at) {
        return matches(tag(p, at, at + StampPacket.AUTH_HMAC, p, 0, 0), p, at + StampPacket.AUTH_HMAC);
    }

    /**
     * Writes the HMAC TLV's value at {@code valueAt}: over the Sequence Number at {@code
     * p[seqAt, seqAt + 4)} and the TLVs before the HMAC TLV ({@code p[tlvsFrom, tlvsTo)}).
     */
    public void signTlvs(ByteBuf p, int seqAt, int tlvsFrom, int tlvsTo, int valueAt) {
        p.setBytes(valueAt, tag(p, seqAt, seqAt + 4, p, tlvsFrom, tlvsTo));
    }

    /**
     * Whether the HMAC TLV value at {@code tlvs[valueAt]} is the HMAC of {@code sequence[seqAt,
     * seqAt + 4)} and {@code tlvs[tlvsFrom, tlvsTo)}: the sender's Sequence Number may sit in
     * another buffer than the TLVs being checked.
     */
    public boolean verifyTlvs(ByteBuf sequence, int seqAt, ByteBuf tlvs, int tlvsFrom, int tlvsTo, int valueAt) {
        return matches(tag(sequence, seqAt, seqAt + 4, tlvs, tlvsFrom, tlvsTo), tlvs, valueAt);
    }

    private byte[] tag(ByteBuf a, int aFrom, int aTo, ByteBuf b, int bFrom, int bTo) {
        mac.update(a.nioBuffer(aFrom, aTo - aFrom));
        if (bTo > bFrom) mac.update(b.nioBuffer(bFrom, bTo - bFrom));
        byte[] full = mac.doFinal();
        byte[] truncated = new byte[StampPacket.HMAC_LENGTH];
        System.arraycopy(full, 0, truncated, 0, truncated.length);
        return truncated;
    }

    private static boolean matches(byte[] expected, ByteBuf p, int at) {
        if (at + StampPacket.HMAC_LENGTH > p.capacity()) return false;
        byte[] carried = new byte[StampPacket.HMAC_LENGTH];
        p.getBytes(at, carried);
        return MessageDigest.isEqual(expected, carried);
    }

    @Override
    public String toString() {
        return "StampHmac[HMAC-SHA-256/128, key not shown]";
    }
}
