package io.packetparamedic.api.identity;

import java.util.Arrays;
import java.util.Objects;

/**
 * The Endpoint ID of a Paramedic Link peer: its 32-byte Ed25519 public key in Crockford Base32
 * (52 symbols in groups of four), prefixed {@code PP-} and followed by a Luhn mod 32 check symbol.
 *
 * <p>Instances are always canonical (upper case, no aliases), so {@link #equals} and the string
 * form can be used as map keys and compared directly.
 */
public final class EndpointId implements Comparable<EndpointId> {

    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SYMBOLS = 52;
    /** Length of the canonical text form: "PP-" + 13 groups of 4 + 12 dashes + "-" + check. */
    public static final int TEXT_LENGTH = 69;
    /**
     * The canonical form as a regular expression (also used in the CRD schema); parsing is more
     * lenient than this, see {@link #parse}.
     */
    public static final String PATTERN = "^PP(-[0-9A-HJKMNP-TV-Z]{4}){13}-[0-9A-HJKMNP-TV-Z]$";

    private static final int[] DECODE = new int[128];

    static {
        Arrays.fill(DECODE, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            char c = ALPHABET.charAt(i);
            DECODE[c] = i;
            DECODE[Character.toLowerCase(c)] = i;
        }
        // Crockford's aliases for symbols a person may mistype.
        for (char c : new char[] {'O', 'o'}) DECODE[c] = 0;
        for (char c : new char[] {'I', 'i', 'L', 'l'}) DECODE[c] = 1;
    }

    private final byte[] publicKey;
    private final String text;

    private EndpointId(byte[] publicKey) {
        this.publicKey = publicKey.clone();
        this.text = format(this.publicKey);
    }

    /** The Endpoint ID of a raw 32-byte Ed25519 public key. */
    public static EndpointId fromPublicKey(byte[] publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, got " + publicKey.length);
        }
        return new EndpointId(publicKey);
    }

    /**
     * Parses an Endpoint ID as a person or a YAML file may write it: any case, with or without
     * dashes, with Crockford's aliases (O for 0, I and L for 1).
     *
     * @throws IllegalArgumentException with a message saying what is wrong, including a wrong
     *     check symbol
     */
    public static EndpointId parse(String input) {
        if (input == null) throw new IllegalArgumentException("endpoint ID is missing");
        String s = input.strip();
        if (s.length() < 3 || !s.substring(0, 2).equalsIgnoreCase("PP")) {
            throw new IllegalArgumentException("endpoint ID must start with \"PP-\": " + quote(input));
        }
        int[] values = new int[SYMBOLS + 1];
        int n = 0;
        for (int i = 2; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '-') continue;
            int v = c < 128 ? DECODE[c] : -1;
            if (v < 0) {
                throw new IllegalArgumentException("endpoint ID has an invalid character '" + c + "': " + quote(input));
            }
            if (n == values.length) {
                throw new IllegalArgumentException("endpoint ID is too long (expected 53 symbols): " + quote(input));
            }
            values[n++] = v;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("endpoint ID has " + n + " symbols, expected 53: " + quote(input));
        }
        int[] body = Arrays.copyOf(values, SYMBOLS);
        int expected = checkValue(body);
        if (values[SYMBOLS] != expected) {
            throw new IllegalArgumentException("endpoint ID check symbol does not match: " + quote(input));
        }
        byte[] key = decode(body);
        if (key == null) {
            throw new IllegalArgumentException("endpoint ID has non-zero padding bits: " + quote(input));
        }
        return new EndpointId(key);
    }

    /** True when {@code input} parses; never throws. */
    public static boolean isValid(String input) {
        try {
            parse(input);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public String toString() {
        return text;
    }

    /** Length of {@link #shortForm()} without its ellipsis: "PP-" and the first two groups. */
    public static final int SHORT_PREFIX_LENGTH = 12;

    /**
     * The first two groups followed by "…" (e.g. {@code PP-7DN2-FF6E…}), for tables where the
     * full 69 characters do not fit. Ten symbols (50 bits) tell a namespace's peers apart by eye;
     * it is not an identifier: anything that authorizes compares the full ID.
     */
    public String shortForm() {
        return text.substring(0, SHORT_PREFIX_LENGTH) + "\u2026";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndpointId other && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public int compareTo(EndpointId o) {
        return text.compareTo(o.text);
    }

    private static String format(byte[] key) {
        int[] symbols = encode(key);
        StringBuilder sb = new StringBuilder(TEXT_LENGTH).append("PP");
        for (int i = 0; i < SYMBOLS; i++) {
            if (i % 4 == 0) sb.append('-');
            sb.append(ALPHABET.charAt(symbols[i]));
        }
        return sb.append('-').append(ALPHABET.charAt(checkValue(symbols))).toString();
    }

    /** Most-significant bit first, 5 bits per symbol, the last symbol padded with zero bits. */
    private static int[] encode(byte[] key) {
        int[] out = new int[SYMBOLS];
        int buffer = 0, bits = 0, n = 0;
        for (byte b : key) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out[n++] = (buffer >>> (bits - 5)) & 31;
                bits -= 5;
            }
        }
        if (bits > 0) out[n] = (buffer << (5 - bits)) & 31;
        return out;
    }

    /** Inverse of {@link #encode}; null when the padding bits are not zero. */
    private static byte[] decode(int[] symbols) {
        byte[] out = new byte[PUBLIC_KEY_LENGTH];
        int buffer = 0, bits = 0, n = 0;
        for (int v : symbols) {
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
            buffer &= (1 << bits) - 1;
        }
        return buffer == 0 ? out : null;
    }

    /** Luhn mod 32: from the rightmost symbol leftwards, factors 2, 1, 2, ... */
    private static int checkValue(int[] symbols) {
        int sum = 0;
        int factor = 2;
        for (int i = symbols.length - 1; i >= 0; i--) {
            int p = symbols[i] * factor;
            sum += p / 32 + p % 32;
            factor = factor == 2 ? 1 : 2;
        }
        return (32 - sum % 32) % 32;
    }

    private static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "\"" + shown + "\"";
    }
}
