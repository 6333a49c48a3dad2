package io.packetparamedic.operator;

import java.util.List;
import java.util.Optional;

/**
 * Which reflector images the operator will run. Whoever may create a ReflectorInstance chooses
 * the image of a hostNetwork pod; an administrator can pin it with
 * {@value OperatorSettings#ALLOWED_IMAGES_PROPERTY} (the chart's {@code reflector.allowedImages}).
 * An entry is an exact image reference, or a prefix followed by {@code *}
 * ({@code ghcr.io/packetparamedic/reflector@sha256:*}, {@code registry.example/reflector:*}).
 * No entries: any image. The operator's default image is always allowed: the administrator chose
 * it in the same place.
 */
public final class ImagePolicy {

    private ImagePolicy() {}

    /** Why the instance's image may not run, or empty when it may. */
    public static Optional<String> refusal(EffectiveSpec spec) {
        return refusal(spec.image(), OperatorSettings.allowedImages(), OperatorSettings.defaultImage());
    }

    static Optional<String> refusal(String image, List<String> allowed, String defaultImage) {
        if (allowed.isEmpty() || image.equals(defaultImage)) return Optional.empty();
        for (String entry : allowed) {
            boolean match = entry.endsWith("*")
                    ? image.startsWith(entry.substring(0, entry.length() - 1))
                    : image.equals(entry);
            if (match) return Optional.empty();
        }
        return Optional.of("image " + image + " is not allowed by the operator (allowed: " + String.join(", ", allowed)
                + ", or the default " + defaultImage + ")");
    }
}
