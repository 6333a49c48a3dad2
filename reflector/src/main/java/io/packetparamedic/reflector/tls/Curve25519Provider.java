package io.packetparamedic.reflector.tls;

import io.packetparamedic.api.identity.Ed25519Identity;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGeneratorSpi;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A JCA provider with the two curve operations of every Paramedic Link handshake, Ed25519
 * signatures (CertificateVerify, both directions) and X25519 key agreement, computed by
 * BouncyCastle's RFC 8032 / RFC 7748 code on the JDK's own key objects. SunJSSE asks the
 * providers in preference order, so with this one first it gets the same results at a fraction of
 * the CPU of JDK 17's SunEC (about 1.5 ms per Ed25519 sign or verify and per X25519 operation
 * there, tens of microseconds here), which is what limits handshakes per second on a small host.
 *
 * <p>Only Ed25519 and X25519 keys are accepted; any other key (Ed448, X448) is refused, and the
 * JCA then falls through to SunEC. Keys are still created and parsed by SunEC, so nothing else in
 * the process sees a foreign key class. Installed by {@link #install()} (the TLS contexts call
 * it); {@code -D}{@value #DISABLE_PROPERTY}{@code =true} leaves the JDK's implementation alone.
 *
 * <p>Netty's BoringSSL engine (netty-tcnative) was the other route to cheap handshakes, but its
 * BoringSSL does not accept Ed25519 client certificates by default and netty-tcnative 2.0.84
 * exposes no way to change that ({@code SSL_CTX_set_verify_algorithm_prefs}); see
 * bench/control-plane/README.md.
 */
public final class Curve25519Provider extends Provider {

    public static final String NAME = "PP-Curve25519";
    public static final String DISABLE_PROPERTY = "reflector.tls.jdk-curve25519";

    private static final long serialVersionUID = 1L;
    private static final String ED25519 = "Ed25519";
    private static final String X25519_NAME = "X25519";

    private Curve25519Provider() {
        super(NAME, "1.0", "Ed25519 signatures and X25519 agreement (BouncyCastle RFC 8032/7748) on JDK key objects");
        putService(new Factory(
                this,
                "Signature",
                ED25519,
                Ed25519Signature.class,
                "java.security.interfaces.EdECPrivateKey|java.security.interfaces.EdECPublicKey"));
        putService(new Factory(
                this,
                "KeyAgreement",
                "XDH",
                X25519Agreement.class,
                "java.security.interfaces.XECPrivateKey|java.security.interfaces.XECPublicKey"));
        putService(new Factory(
                this,
                "KeyAgreement",
                X25519_NAME,
                X25519Agreement.class,
                "java.security.interfaces.XECPrivateKey|java.security.interfaces.XECPublicKey"));
        putService(new Factory(this, "KeyPairGenerator", "XDH", X25519KeyPairGenerator.class, null));
        putService(new Factory(this, "KeyPairGenerator", X25519_NAME, X25519KeyPairGenerator.class, null));
    }

    /** Puts this provider first, once per JVM, unless {@value #DISABLE_PROPERTY} is true. */
    public static synchronized boolean install() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) return false;
        if (Security.getProvider(NAME) == null) Security.insertProviderAt(new Curve25519Provider(), 1);
        return true;
    }

    /** Whether it is installed (for the start-up log line). */
    public static boolean installed() {
        return Security.getProvider(NAME) != null;
    }

    /** A service that instantiates its SPI without reflection. */
    private static final class Factory extends Service {
        private final Class<?> type;

        Factory(Provider provider, String kind, String algorithm, Class<?> type, String keyClasses) {
            super(
                    provider,
                    kind,
                    algorithm,
                    type.getName(),
                    List.of(),
                    keyClasses == null ? Map.of() : Map.of("SupportedKeyClasses", keyClasses));
            this.type = type;
        }

        @Override
        public Object newInstance(Object constructorParameter) {
            if (type == Ed25519Signature.class) return new Ed25519Signature();
            if (type == X25519Agreement.class) return new X25519Agreement();
            return new X25519KeyPairGenerator();
        }
    }

    private static boolean named(AlgorithmParameterSpec params, String name) {
        return params instanceof NamedParameterSpec n && n.getName().equalsIgnoreCase(name);
    }

    /** Pure Ed25519 (RFC 8032, no context, no pre-hash), as SunEC's "Ed25519". */
    public static final class Ed25519Signature extends SignatureSpi {
        /** The last signing key and its public key; one entry, replaced when the identity rotates. */
        private static volatile DerivedPublicKey lastDerived;

        private record DerivedPublicKey(EdECPrivateKey privateKey, byte[] publicKey) {}

        private final ByteArrayOutputStream message = new ByteArrayOutputStream(256);
        private byte[] seed;
        private byte[] publicKey;
        private byte[] verifyKey;

        @Override
        protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
            if (!(key instanceof EdECPrivateKey k)
                    || !named(k.getParams(), ED25519)
                    || k.getBytes().isEmpty()) {
                throw new InvalidKeyException("not an Ed25519 private key");
            }
            byte[] s = k.getBytes().get();
            if (s.length != Ed25519.SECRET_KEY_SIZE) throw new InvalidKeyException("Ed25519 seed must be 32 bytes");
            seed = s;
            publicKey = publicKeyOf(k, s);
            verifyKey = null;
            message.reset();
        }

        /**
         * The public key of {@code key}, derived once per key object: deriving it is a scalar
         * multiplication, as costly as the signature itself, and a server signs every handshake's
         * CertificateVerify with the same identity key object.
         */
        private static byte[] publicKeyOf(EdECPrivateKey key, byte[] seed) {
            DerivedPublicKey last = lastDerived;
            if (last != null && last.privateKey() == key) return last.publicKey();
            byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(seed, 0, publicKey, 0);
            lastDerived = new DerivedPublicKey(key, publicKey);
            return publicKey;
        }

        @Override
        protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
            if (!(key instanceof EdECPublicKey k) || !named(k.getParams(), ED25519)) {
                throw new InvalidKeyException("not an Ed25519 public key");
            }
            try {
                verifyKey = Ed25519Identity.rawPublicKey(k);
            } catch (RuntimeException e) {
                throw new InvalidKeyException("not an Ed25519 public key", e);
            }
            seed = null;
            publicKey = null;
            message.reset();
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            engineUpdate(new byte[] {b}, 0, 1);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            // No length cap: this provider serves the whole JVM, and pure Ed25519 signs messages of
            // any length (a TLS transcript hash is short; a caller signing a file is not).
            message.write(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            if (seed == null) throw new SignatureException("not initialized for signing");
            byte[] m = message.toByteArray();
            message.reset();
            byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
            Ed25519.sign(seed, 0, publicKey, 0, m, 0, m.length, sig, 0);
            return sig;
        }

        @Override
        protected boolean engineVerify(byte[] sig) throws SignatureException {
            if (verifyKey == null) throw new SignatureException("not initialized for verification");
            byte[] m = message.toByteArray();
            message.reset();
            return sig.length == Ed25519.SIGNATURE_SIZE && Ed25519.verify(sig, 0, verifyKey, 0, m, 0, m.length);
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            if (params != null && !named(params, ED25519)) {
                throw new InvalidAlgorithmParameterException("only pure Ed25519 is supported");
            }
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return null;
        }
    }

    /** X25519 (RFC 7748) between a SunEC private key and a SunEC public key. */
    public static final class X25519Agreement extends KeyAgreementSpi {
        private byte[] scalar;
        private byte[] secret;

        @Override
        protected void engineInit(Key key, SecureRandom random) throws InvalidKeyException {
            if (!(key instanceof XECPrivateKey k)
                    || !named(k.getParams(), X25519_NAME)
                    || k.getScalar().isEmpty()) {
                throw new InvalidKeyException("not an X25519 private key");
            }
            byte[] s = k.getScalar().get();
            if (s.length != X25519.SCALAR_SIZE) throw new InvalidKeyException("X25519 scalar must be 32 bytes");
            scalar = s;
            secret = null;
        }

        @Override
        protected void engineInit(Key key, AlgorithmParameterSpec params, SecureRandom random)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            if (params != null && !named(params, X25519_NAME))
                throw new InvalidAlgorithmParameterException("X25519 only");
            engineInit(key, random);
        }

        @Override
        protected Key engineDoPhase(Key key, boolean lastPhase) throws InvalidKeyException {
            if (scalar == null) throw new IllegalStateException("not initialized");
            if (!lastPhase) throw new IllegalStateException("X25519 has one phase");
            if (!(key instanceof XECPublicKey k) || !named(k.getParams(), X25519_NAME)) {
                throw new InvalidKeyException("not an X25519 public key");
            }
            byte[] out = new byte[X25519.POINT_SIZE];
            if (!X25519.calculateAgreement(scalar, 0, littleEndian(k.getU()), 0, out, 0)) {
                // An all-zero result: the peer sent a point of small order (RFC 7748 section 6.1).
                throw new InvalidKeyException("X25519 agreement with a small-order point");
            }
            secret = out;
            return null;
        }

        @Override
        protected byte[] engineGenerateSecret() {
            if (secret == null) throw new IllegalStateException("no agreement computed");
            byte[] s = secret;
            secret = null;
            return s;
        }

        @Override
        protected int engineGenerateSecret(byte[] sharedSecret, int offset) throws ShortBufferException {
            if (secret != null && sharedSecret.length - offset < secret.length) throw new ShortBufferException();
            byte[] s = engineGenerateSecret();
            System.arraycopy(s, 0, sharedSecret, offset, s.length);
            return s.length;
        }

        @Override
        protected SecretKey engineGenerateSecret(String algorithm) {
            return new SecretKeySpec(engineGenerateSecret(), algorithm);
        }
    }

    /**
     * X25519 key pairs as SunEC key objects (built by SunEC's key factory from the scalar and the
     * public u-coordinate computed here), so that JSSE encodes and later uses them as it always does.
     */
    public static final class X25519KeyPairGenerator extends KeyPairGeneratorSpi {
        private SecureRandom random;
        private boolean x25519 = true;

        @Override
        public void initialize(int keysize, SecureRandom random) {
            if (keysize != 255) throw new InvalidParameterException("X25519 only (255 bits)");
            this.random = random;
        }

        @Override
        public void initialize(AlgorithmParameterSpec params, SecureRandom random)
                throws InvalidAlgorithmParameterException {
            if (!named(params, X25519_NAME)) throw new InvalidAlgorithmParameterException("X25519 only");
            this.random = random;
            x25519 = true;
        }

        @Override
        public KeyPair generateKeyPair() {
            if (!x25519) throw new IllegalStateException("X25519 only");
            byte[] k = new byte[X25519.SCALAR_SIZE];
            (random != null ? random : Holder.RANDOM).nextBytes(k);
            byte[] u = new byte[X25519.POINT_SIZE];
            X25519.scalarMultBase(k, 0, u, 0);
            try {
                KeyFactory sunEc = KeyFactory.getInstance("XDH", Holder.SUN_EC);
                PublicKey pub =
                        sunEc.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, fromLittleEndian(u)));
                PrivateKey priv = sunEc.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, k));
                return new KeyPair(pub, priv);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SunEC cannot hold an X25519 key: " + e.getMessage(), e);
            } finally {
                Arrays.fill(k, (byte) 0);
            }
        }
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();
        static final Provider SUN_EC = Security.getProvider("SunEC");
    }

    /** The 32-byte little-endian encoding of u (RFC 7748 section 5); u is below 2^255 for a valid key. */
    static byte[] littleEndian(BigInteger u) throws InvalidKeyException {
        if (u.signum() < 0 || u.bitLength() > 256) throw new InvalidKeyException("u-coordinate out of range");
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) le[i] = be[be.length - 1 - i];
        return le;
    }

    static BigInteger fromLittleEndian(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        return new BigInteger(1, be);
    }
}
