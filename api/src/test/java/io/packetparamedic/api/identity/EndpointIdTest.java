package io.packetparamedic.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointIdTest {

    // Conformance vectors of spec section 1: seed, public key, Endpoint ID.
    @ParameterizedTest
    @CsvSource({
        "0000000000000000000000000000000000000000000000000000000000000000,"
                + "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29,"
                + "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f,"
                + "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8,"
                + "PP-0EGG-FFZK-SR8B-W7BG-VMCE-EJY0-K5KY-9NHG-KEJG-TQRX-VJ36-84JN-66W0-A",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60,"
                + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a,"
                + "PP-TXD9-G0C2-P45B-FNAB-ZV9W-JS07-787E-2WQK-VAK2-69DF-08D6-HXR7-A4D0-R",
    })
    void conformanceVectors(String seedHex, String publicKeyHex, String id) {
        Ed25519Identity identity = Ed25519Identity.fromSeed(HexFormat.of().parseHex(seedHex));
        assertThat(HexFormat.of().formatHex(identity.publicKey())).isEqualTo(publicKeyHex);
        assertThat(identity.endpointId().toString())
                .isEqualTo(id)
                .hasSize(EndpointId.TEXT_LENGTH)
                .matches(EndpointId.PATTERN);
        assertThat(EndpointId.parse(id)).isEqualTo(identity.endpointId());
        assertThat(EndpointId.parse(id).publicKey()).isEqualTo(HexFormat.of().parseHex(publicKeyHex));
    }

    @Test
    void shortFormIsThePrefixAndTheFirstTwoGroupsWithAnEllipsis() {
        EndpointId id = EndpointId.parse("PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K");
        assertThat(id.shortForm()).isEqualTo("PP-7DN2-FF6E\u2026");
        EndpointId other = Ed25519Identity.generate().endpointId();
        assertThat(other.shortForm())
                .hasSize(13)
                .endsWith("\u2026")
                .startsWith(other.toString().substring(0, 12))
                .matches("^PP-[0-9A-Z]{4}-[0-9A-Z]{4}\u2026$");
    }

    @Test
    void everyOneSymbolChangeFailsValidation() {
        String id = Ed25519Identity.generate().endpointId().toString();
        int changes = 0;
        for (int i = 3; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '-') continue;
            for (char other : EndpointId.ALPHABET.toCharArray()) {
                if (other == c) continue;
                String changed = id.substring(0, i) + other + id.substring(i + 1);
                assertThat(EndpointId.isValid(changed)).as(changed).isFalse();
                changes++;
            }
        }
        assertThat(changes).isEqualTo(53 * 31);
    }

    @Test
    void parsesLowerCaseAndCrockfordAliases() {
        String id = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K";
        String typed = id.toLowerCase().replace('0', 'o').replace('1', 'l');
        assertThat(EndpointId.parse(typed).toString()).isEqualTo(id);
        assertThat(EndpointId.parse(id.replace("-", "").replaceFirst("PP", "PP-"))
                        .toString())
                .isEqualTo(id);
    }

    @Test
    void rejectsGarbageWithClearMessages() {
        assertThatThrownBy(() -> EndpointId.parse("XX-1234")).hasMessageContaining("PP-");
        assertThatThrownBy(() -> EndpointId.parse("PP-7DN2")).hasMessageContaining("expected 53");
        assertThatThrownBy(
                        () -> EndpointId.parse("PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-U"))
                .hasMessageContaining("invalid character 'U'");
        assertThatThrownBy(() -> EndpointId.parse(null)).hasMessageContaining("missing");
    }
}
