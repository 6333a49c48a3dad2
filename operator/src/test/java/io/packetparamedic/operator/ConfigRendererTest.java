package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.identity.Ed25519Identity;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {

    @Test
    void emptySpecRendersTheReflectorDefaultsAndLoads() {
        ReflectorInstance ri = instance(new ReflectorInstanceSpec());
        String toml = ConfigRenderer.render(EffectiveSpec.of(ri), List.of(), List.of());
        ReflectorConfig c = ConfigLoader.parse(toml, "test").config();
        assertThat(c.network.listenAddress).isEqualTo("0.0.0.0:4000");
        assertThat(c.network.dataPortRangeStart).isEqualTo(5201);
        assertThat(c.access.pairingEnabled).isFalse();
        assertThat(c.state.dataDir).isEqualTo(ConfigRenderer.DATA_DIR);
    }

    @Test
    void peersAreSortedDeduplicatedAndCodesEnablePairing() {
        String a = Ed25519Identity.generate().endpointId().toString();
        String b = Ed25519Identity.generate().endpointId().toString();
        List<PeerInEffect> peers = Stream.of(peer("z", a), peer("y", b), peer("x", a.toLowerCase()))
                .map(p -> PeerSelection.inEffect(p, Instant.now()).orElseThrow())
                .toList();
        String toml = ConfigRenderer.render(
                EffectiveSpec.of(instance(new ReflectorInstanceSpec())),
                peers,
                List.of(new ConfigRenderer.OpenCode("ABCDEFGH", "2030-01-01T00:00:00Z", "ns/w")));
        ReflectorConfig c = ConfigLoader.parse(toml, "test").config();
        assertThat(c.access.peers)
                .extracting(p -> p.endpointId)
                .containsExactlyElementsOf(List.of(a, b).stream().sorted().toList());
        assertThat(c.access.peers)
                .filteredOn(p -> p.endpointId.equals(a))
                .extracting(p -> p.name)
                .containsExactly("x");
        assertThat(c.access.pairingEnabled).isTrue();
        assertThat(c.access.pairingCodes.get(0).window).isEqualTo("ns/w");
        // Same input, same bytes: an unchanged config never rewrites the Secret.
        assertThat(ConfigRenderer.render(
                        EffectiveSpec.of(instance(new ReflectorInstanceSpec())),
                        List.of(peers.get(2), peers.get(1), peers.get(0)),
                        List.of(new ConfigRenderer.OpenCode("ABCDEFGH", "2030-01-01T00:00:00Z", "ns/w"))))
                .isEqualTo(toml);
    }

    static ReflectorInstance instance(ReflectorInstanceSpec spec) {
        ReflectorInstance ri = new ReflectorInstance();
        ri.getMetadata().setName("a");
        ri.getMetadata().setNamespace("ns");
        ri.setSpec(spec);
        return ri;
    }

    static AuthorizedPeer peer(String name, String id) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(name);
        p.getMetadata().setNamespace("ns");
        p.setSpec(new io.packetparamedic.api.crd.AuthorizedPeerSpec());
        p.getSpec().endpointId = id;
        p.getSpec().reflectorRef = new ObjectRef("a");
        return p;
    }
}
