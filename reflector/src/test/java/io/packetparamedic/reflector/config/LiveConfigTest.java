package io.packetparamedic.reflector.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveConfigTest {

    private final EndpointId a = Ed25519Identity.generate().endpointId();
    private final EndpointId b = Ed25519Identity.generate().endpointId();

    private static ReflectorConfig parse(String toml) {
        return ConfigLoader.parse(toml, "test").config();
    }

    @Test
    void eachListenerHearsOnlyOfItsOwnPart() {
        LiveConfig live = new LiveConfig(parse("[quotas]\ncooldown_sec = 5\n"));
        List<String> heard = new ArrayList<>();
        live.onPeers(p -> heard.add("peers " + p.all().size()));
        live.onPairingCodes(c -> heard.add("codes " + c.size()));
        live.onQuotas(q -> heard.add("quotas " + q.cooldownSec));
        live.onLimits(n -> heard.add("limits " + n.maxConnections));
        live.onLogLevel(l -> heard.add("level " + l));
        live.onApplied(c -> heard.add("applied"));

        live.apply(parse("[quotas]\ncooldown_sec = 5\n"));
        assertThat(heard).containsExactly("applied");

        heard.clear();
        live.apply(parse("[quotas]\ncooldown_sec = 9\n[network]\nmax_connections = 7\n"));
        assertThat(heard).containsExactly("quotas 9", "limits 7", "applied");

        heard.clear();
        ReflectorConfig withPeer = parse("[access]\nauthorized_peers = [\"" + a + "\"]\n[quotas]\ncooldown_sec = 9\n"
                + "[network]\nmax_connections = 7\n[logging]\nlevel = \"debug\"\n");
        live.apply(withPeer);
        assertThat(heard).containsExactly("peers 1", "level debug", "applied");
        assertThat(live.get()).isSameAs(withPeer);
    }

    @Test
    void peersAreParsedOnceInFileOrderWithNamesFromAccessPeers() {
        LiveConfig live = new LiveConfig(parse("""
                [access]
                authorized_peers = ["%s", "%s"]
                [[access.peers]]
                endpoint_id = "%s"
                name = "kitchen"
                """.formatted(a, b, a.toString().toLowerCase())));
        assertThat(live.peers().all())
                .containsExactly(
                        new ConfiguredPeers.Peer(a, Optional.of("kitchen")),
                        new ConfiguredPeers.Peer(b, Optional.empty()));
    }

    @Test
    void aFailingListenerLeavesTheOthersApplied() {
        LiveConfig live = new LiveConfig(new ReflectorConfig());
        List<Integer> seen = new ArrayList<>();
        live.onQuotas(q -> {
            throw new IllegalStateException("broken part");
        });
        live.onQuotas(q -> seen.add(q.maxConcurrentTests));
        live.apply(parse("[quotas]\nmax_concurrent_tests = 3\n"));
        assertThat(seen).containsExactly(3);
        assertThat(live.get().quotas.maxConcurrentTests).isEqualTo(3);
    }
}
