package io.packetparamedic.api.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretDataTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesTextAndStripsTheTrailingNewlineOfHandMadeSecrets() {
        Secret s = new SecretBuilder()
                .withNewMetadata()
                .withName("code")
                .endMetadata()
                .addToData("code", b64("ABCD-1234\n"))
                .build();
        assertThat(SecretData.text(s, "code")).contains("ABCD-1234");
        assertThat(SecretData.bytes(s, "code"))
                .hasValueSatisfying(b -> assertThat(b).hasSize(10));
    }

    @Test
    void absentSecretOrKeyIsEmptyAndBadBase64NamesTheSecret() {
        assertThat(SecretData.text(null, "k")).isEmpty();
        Secret s = new SecretBuilder()
                .withNewMetadata()
                .withName("id")
                .endMetadata()
                .addToData("seed", "%%%")
                .build();
        assertThat(SecretData.text(s, "other")).isEmpty();
        assertThatThrownBy(() -> SecretData.bytes(s, "seed")).hasMessageContaining("Secret id key seed");
    }
}
