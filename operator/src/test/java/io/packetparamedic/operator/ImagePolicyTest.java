package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePolicyTest {

    static final String DEFAULT = "ghcr.io/packetparamedic/reflector:0.1.0";
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void noListAllowsAnything() {
        assertThat(ImagePolicy.refusal("evil.example/miner:latest", List.of(), DEFAULT))
                .isEmpty();
    }

    @Test
    void exactEntriesPrefixEntriesAndTheDefault() {
        List<String> allowed =
                List.of("registry.example/reflector@sha256:*", "ghcr.io/packetparamedic/reflector:0.2.0");
        assertThat(ImagePolicy.refusal("registry.example/reflector@" + DIGEST, allowed, DEFAULT))
                .isEmpty();
        assertThat(ImagePolicy.refusal("ghcr.io/packetparamedic/reflector:0.2.0", allowed, DEFAULT))
                .isEmpty();
        assertThat(ImagePolicy.refusal(DEFAULT, allowed, DEFAULT)).isEmpty();
        // Not a prefix match on the exact entry, and a tag is not a digest.
        assertThat(ImagePolicy.refusal("ghcr.io/packetparamedic/reflector:0.2.0-evil", allowed, DEFAULT))
                .isPresent();
        assertThat(ImagePolicy.refusal("registry.example/reflector:latest", allowed, DEFAULT))
                .isPresent();
        assertThat(ImagePolicy.refusal("registry.example/reflector-evil@" + DIGEST, allowed, DEFAULT))
                .isPresent();
        assertThat(ImagePolicy.refusal("evil.example/miner:latest", allowed, DEFAULT)
                        .orElseThrow())
                .contains("evil.example/miner:latest")
                .contains("registry.example/reflector@sha256:*");
    }
}
