package io.packetparamedic.api.pairing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Pairing codes: 8 characters from an alphabet without look-alikes (no I, L, O, 0, 1), compared
 * case-insensitively and in constant time.
 */
public final class PairingCodes {
    public static final String ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public static final int LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PairingCodes() {}

    public static String generate() {
        char[] code = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) code[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        return new String(code);
    }

    /** The canonical (upper-case, trimmed) form of a code, or an exception naming the problem. */
    public static String normalize(String code) {
        String c = code == null ? "" : code.strip().toUpperCase(Locale.ROOT);
        if (c.length() != LENGTH) {
            throw new IllegalArgumentException("a pairing code has " + LENGTH + " characters, got " + c.length());
        }
        for (int i = 0; i < c.length(); i++) {
            if (ALPHABET.indexOf(c.charAt(i)) < 0) {
                throw new IllegalArgumentException(
                        "a pairing code uses only " + ALPHABET + "; got '" + c.charAt(i) + "'");
            }
        }
        return c;
    }

    public static boolean isValid(String code) {
        try {
            normalize(code);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Case-insensitive comparison whose time does not depend on where the inputs differ, so a
     * network attacker cannot learn a code character by character.
     */
    public static boolean matches(String expected, String presented) {
        byte[] a = (expected == null ? "" : expected.toUpperCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8);
        byte[] b =
                (presented == null ? "" : presented.strip().toUpperCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(a, b);
    }
}
