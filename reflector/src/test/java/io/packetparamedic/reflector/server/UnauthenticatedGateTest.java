package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate's bookkeeping on embedded channels (which all share one source address). */
class UnauthenticatedGateTest {

    private final ReflectorMetrics metrics = new ReflectorMetrics();
    private final PreAuthRefusals refusals = new PreAuthRefusals(metrics, new ConnectionAuditor(null, metrics));

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void silentConnectionsMakeRoomBeforeTalkingOnes() {
        UnauthenticatedGate gate = new UnauthenticatedGate(100, 2, refusals);
        EmbeddedChannel first = new EmbeddedChannel(gate);
        EmbeddedChannel second = new EmbeddedChannel(gate);
        gate.spoke(first);
        EmbeddedChannel third = new EmbeddedChannel(gate);
        assertThat(second.isOpen()).isFalse(); // silent, so it went although first is older
        assertThat(first.isOpen()).isTrue();
        assertThat(gate.open()).isEqualTo(2);
        EmbeddedChannel fourth = new EmbeddedChannel(gate);
        assertThat(third.isOpen()).isFalse();
        gate.spoke(fourth);
        EmbeddedChannel fifth = new EmbeddedChannel(gate);
        assertThat(first.isOpen()).isFalse(); // no silent one left: the oldest talking one
        assertThat(fourth.isOpen()).isTrue();
        assertThat(metrics.connectionsRefused(PreAuthRefusals.UNAUTHENTICATED_LIMIT))
                .isEqualTo(3);
        assertThat(gate.open()).isEqualTo(2);
        fourth.close();
        fifth.close();
        assertThat(gate.open()).isZero();
    }

    @Test
    void anAuthenticatedConnectionLeavesTheStageOnceAndIsNeverEvicted() {
        UnauthenticatedGate gate = new UnauthenticatedGate(100, 1, refusals);
        EmbeddedChannel peer = new EmbeddedChannel(gate);
        gate.authenticated(peer);
        assertThat(gate.open()).isZero();
        EmbeddedChannel stranger = new EmbeddedChannel(gate);
        EmbeddedChannel another = new EmbeddedChannel(gate);
        assertThat(peer.isOpen()).isTrue();
        assertThat(stranger.isOpen()).isFalse();
        assertThat(another.isOpen()).isTrue();
        peer.close(); // already left: the close must not release a second time
        assertThat(gate.open()).isEqualTo(1);
        another.close();
        assertThat(gate.open()).isZero();
    }

    @Test
    void perSourceLimitRefusesTheNewcomer() {
        UnauthenticatedGate gate = new UnauthenticatedGate(2, 100, refusals);
        EmbeddedChannel a = new EmbeddedChannel(gate);
        EmbeddedChannel b = new EmbeddedChannel(gate);
        EmbeddedChannel c = new EmbeddedChannel(gate);
        assertThat(c.isOpen()).isFalse();
        assertThat(a.isOpen() && b.isOpen()).isTrue();
        assertThat(metrics.connectionsRefused(PreAuthRefusals.SOURCE_LIMIT)).isEqualTo(1);
        a.close();
        EmbeddedChannel d = new EmbeddedChannel(gate);
        assertThat(d.isOpen()).isTrue();
    }

    @Test
    void anIpv6SourceCountsByItsSlash64() throws Exception {
        InetAddress a = UnauthenticatedGate.sourceOf(
                new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:aaaa::1"), 4000));
        InetAddress b = UnauthenticatedGate.sourceOf(
                new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:bbbb::9"), 4000));
        InetAddress other =
                UnauthenticatedGate.sourceOf(new InetSocketAddress(InetAddress.getByName("2001:db8:1:3::1"), 4000));
        assertThat(a).isEqualTo(b).isEqualTo(InetAddress.getByName("2001:db8:1:2::"));
        assertThat(other).isNotEqualTo(a);
        assertThat(UnauthenticatedGate.sourceOf(new InetSocketAddress("192.0.2.7", 1)))
                .isEqualTo(InetAddress.getByName("192.0.2.7"));
    }

    @Test
    void theTotalIsAShareOfMaxConnectionsButAtLeastFour() {
        assertThat(UnauthenticatedGate.totalFor(1024, 25)).isEqualTo(256);
        assertThat(UnauthenticatedGate.totalFor(16, 25)).isEqualTo(4);
        assertThat(UnauthenticatedGate.totalFor(8, 25)).isEqualTo(4);
        assertThat(UnauthenticatedGate.totalFor(2, 25)).isEqualTo(2);
        assertThat(UnauthenticatedGate.totalFor(1024, 100)).isEqualTo(1024);
    }
}
