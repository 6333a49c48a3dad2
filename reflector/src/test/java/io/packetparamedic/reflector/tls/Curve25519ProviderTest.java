package io.packetparamedic.reflector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast curve operations agree with SunEC's, in both directions, on SunEC's own key objects,
 * and leave the curves they do not implement (Ed448, X448) to SunEC.
 */
class Curve25519ProviderTest {

    @BeforeAll
    static void install() {
        // A run with the JDK's curves forced (-Dreflector.tls.jdk-curve25519=true) tests the TLS
        // suites on SunEC; there is nothing of this provider to test then.
        assumeFalse(Boolean.getBoolean(Curve25519Provider.DISABLE_PROPERTY), "provider disabled");
        assertThat(Curve25519Provider.install()).isTrue();
    }

    private static Signature signature(String provider) throws Exception {
        return provider == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", provider);
    }

    private static byte[] sign(String provider, PrivateKey key, byte[] message) throws Exception {
        Signature s = signature(provider);
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    private static boolean verify(String provider, PublicKey key, byte[] message, byte[] sig) throws Exception {
        Signature s = signature(provider);
        s.initVerify(key);
        s.update(message);
        return s.verify(sig);
    }

    @Test
    void ed25519SignaturesMatchSunEcBothWays() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519", "SunEC").generateKeyPair();
        byte[] message = "TLS 1.3, server CertificateVerify\0transcript-hash".getBytes();
        byte[] ours = sign(Curve25519Provider.NAME, pair.getPrivate(), message);
        byte[] theirs = sign("SunEC", pair.getPrivate(), message);
        // Ed25519 is deterministic: the same key and message give the same signature.
        assertThat(ours).isEqualTo(theirs);
        assertThat(verify("SunEC", pair.getPublic(), message, ours)).isTrue();
        assertThat(verify(Curve25519Provider.NAME, pair.getPublic(), message, theirs))
                .isTrue();

        byte[] tampered = message.clone();
        tampered[0] ^= 1;
        assertThat(verify(Curve25519Provider.NAME, pair.getPublic(), tampered, ours))
                .isFalse();
        assertThat(verify(Curve25519Provider.NAME, pair.getPublic(), message, Arrays.copyOf(ours, 63)))
                .isFalse();
    }

    /** The public key derived for signing is remembered per key object: alternating keys each sign as SunEC does. */
    @Test
    void alternatingSigningKeysEachSignWithTheirOwnPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519", "SunEC");
        KeyPair first = generator.generateKeyPair();
        KeyPair second = generator.generateKeyPair();
        byte[] message = "CertificateVerify".getBytes();
        for (KeyPair pair : new KeyPair[] {first, second, first, second}) {
            byte[] ours = sign(Curve25519Provider.NAME, pair.getPrivate(), message);
            assertThat(ours).isEqualTo(sign("SunEC", pair.getPrivate(), message));
            assertThat(verify("SunEC", pair.getPublic(), message, ours)).isTrue();
        }
    }

    /** The provider serves the whole JVM: a message of any length signs as SunEC signs it (no 64 KiB cap). */
    @Test
    void longMessagesSignAndVerifyAsSunEcDoes() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519", "SunEC").generateKeyPair();
        byte[] message = new byte[1 << 20];
        new java.util.Random(7).nextBytes(message);
        byte[] ours = sign(Curve25519Provider.NAME, pair.getPrivate(), message);
        assertThat(ours).isEqualTo(sign("SunEC", pair.getPrivate(), message));
        assertThat(verify(Curve25519Provider.NAME, pair.getPublic(), message, ours))
                .isTrue();
    }

    @Test
    void defaultLookupUsesThisProviderForEd25519AndSunEcForEd448() throws Exception {
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(ed25519.getPrivate());
        assertThat(s.getProvider().getName()).isEqualTo(Curve25519Provider.NAME);

        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        Signature eddsa = Signature.getInstance("EdDSA");
        eddsa.initSign(ed448.getPrivate());
        eddsa.update(new byte[] {1, 2, 3});
        byte[] sig = eddsa.sign();
        assertThat(eddsa.getProvider().getName()).isEqualTo("SunEC");
        assertThat(sig).hasSize(114);
    }

    @Test
    void x25519AgreementMatchesSunEc() throws Exception {
        KeyPairGenerator ours = KeyPairGenerator.getInstance("XDH");
        ours.initialize(NamedParameterSpec.X25519);
        assertThat(ours.getProvider().getName()).isEqualTo(Curve25519Provider.NAME);
        KeyPair a = ours.generateKeyPair();
        KeyPairGenerator sunEc = KeyPairGenerator.getInstance("XDH", "SunEC");
        sunEc.initialize(NamedParameterSpec.X25519);
        KeyPair b = sunEc.generateKeyPair();

        // The pair made here is a valid SunEC pair: SunEC agrees with it as with its own.
        byte[] secretOurs = agree(Curve25519Provider.NAME, a.getPrivate(), b.getPublic());
        byte[] secretSunEc = agree("SunEC", b.getPrivate(), a.getPublic());
        byte[] secretSunEcOther = agree("SunEC", a.getPrivate(), b.getPublic());
        assertThat(secretOurs).hasSize(32).isEqualTo(secretSunEc).isEqualTo(secretSunEcOther);
    }

    @Test
    void x448IsLeftToSunEc() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
        g.initialize(NamedParameterSpec.X448);
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(a.getPrivate());
        ka.doPhase(b.getPublic(), true);
        assertThat(ka.generateSecret()).hasSize(56);
        assertThat(ka.getProvider().getName()).isEqualTo("SunEC");
    }

    private static byte[] agree(String provider, PrivateKey mine, PublicKey theirs) throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("XDH", provider);
        ka.init(mine);
        ka.doPhase(theirs, true);
        return ka.generateSecret();
    }

    /**
     * The ed25519-speccheck edge cases (small-order points, non-canonical encodings, S out of
     * range, cofactored versus cofactorless checks), verdict by verdict, this verifier beside
     * SunEC's. They agree on 10 of the 15. Where they differ, both answers are ones RFC 8032
     * allows, and none lets anyone sign for a key they do not hold:
     *
     * <ul>
     *   <li>cases 1 and 3, a small-order public key (for which anyone can make a signature that
     *       verifies): SunEC accepts, this verifier rejects — stricter;
     *   <li>cases 4, 7 and 8, a mixed-order key or R whose signature holds only in the cofactored
     *       equation RFC 8032 recommends: SunEC checks cofactorless and rejects, BouncyCastle
     *       checks cofactored and accepts. Only the key's owner can make such a signature.
     * </ul>
     *
     * The table is pinned, so a BouncyCastle or JDK upgrade that moves any verdict fails here.
     */
    @Test
    void edgeCaseVerdictsAgainstSunEcOnTheSpeccheckVectors() throws Exception {
        com.fasterxml.jackson.databind.JsonNode cases;
        try (java.io.InputStream in =
                Curve25519ProviderTest.class.getResourceAsStream("/ed25519/speccheck-cases.json")) {
            cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        //                          case:  0      1      2      3      4      5     6     7      8      9      10     11
        //     12     13     14
        boolean[] sunEcExpected = {
            false, true, false, true, false, true, true, false, false, false, false, false, false, false, false
        };
        boolean[] oursExpected = {
            false, false, false, false, true, true, true, true, true, false, false, false, false, false, false
        };
        assertThat(cases).hasSize(sunEcExpected.length);
        java.util.HexFormat hex = java.util.HexFormat.of();
        for (int i = 0; i < cases.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode c = cases.get(i);
            byte[] message = hex.parseHex(c.get("message").asText());
            byte[] sig = hex.parseHex(c.get("signature").asText());
            PublicKey key = publicKey(hex.parseHex(c.get("pub_key").asText()));
            boolean sunEc = key != null && verdict("SunEC", key, message, sig);
            boolean ours = key != null && verdict(Curve25519Provider.NAME, key, message, sig);
            assertThat(sunEc).as("case %d, SunEC", i).isEqualTo(sunEcExpected[i]);
            assertThat(ours).as("case %d, this verifier", i).isEqualTo(oursExpected[i]);
        }
    }

    /** A verification verdict; an exception (bad key or signature encoding) is a rejection. */
    private static boolean verdict(String provider, PublicKey key, byte[] message, byte[] sig) {
        try {
            return verify(provider, key, message, sig);
        } catch (Exception e) {
            return false;
        }
    }

    /** The JDK's key object for a raw 32-byte Ed25519 key, or null when SunEC cannot make one. */
    private static PublicKey publicKey(byte[] raw) {
        byte[] spki = new byte[44];
        System.arraycopy(java.util.HexFormat.of().parseHex("302a300506032b6570032100"), 0, spki, 0, 12);
        System.arraycopy(raw, 0, spki, 12, 32);
        try {
            return java.security.KeyFactory.getInstance("Ed25519", "SunEC")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        } catch (Exception e) {
            return null;
        }
    }
}
