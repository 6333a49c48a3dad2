package io.packetparamedic.api.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Finds the known key an unknown one was probably meant to be: a typo, or a name cut short. */
final class DidYouMean {
    private DidYouMean() {}

    /** The closest of {@code known} to {@code typed}, when it is close enough to be a likely mistake. */
    static Optional<String> closest(String typed, Collection<String> known) {
        String t = typed.toLowerCase(java.util.Locale.ROOT);
        return known.stream()
                .filter(k -> likely(t, k))
                .min(Comparator.comparingInt((String k) -> distance(t, k)).thenComparing(k -> k));
    }

    private static boolean likely(String typed, String known) {
        // A few edits per word, or a prefix such as max_tests_per_hour for max_tests_per_hour_per_peer.
        int allowed = Math.max(2, Math.min(typed.length(), known.length()) / 4);
        return distance(typed, known) <= allowed
                || (typed.length() >= 4 && (known.startsWith(typed) || typed.startsWith(known)));
    }

    /** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
