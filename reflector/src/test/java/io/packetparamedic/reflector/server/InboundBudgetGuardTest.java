package io.packetparamedic.reflector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.packetparamedic.reflector.metrics.ReflectorMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The budget guard and the frame decoder on embedded channels: exact accounting, no sockets. */
class InboundBudgetGuardTest {

    private static final int ALLOWANCE = 100;

    private final ReflectorMetrics metrics = new ReflectorMetrics();
    private final InboundBudget budget = new InboundBudget(1000);
    private final LogThrottle throttle = new LogThrottle();
    private final List<String> tooLarge = new ArrayList<>();

    @AfterEach
    void close() {
        metrics.close();
    }

    private EmbeddedChannel channel(int maxFrame) {
        FrameDecoder frames = new FrameDecoder(maxFrame, tooLarge::add);
        return new EmbeddedChannel(
                new InboundBudgetGuard(budget, ALLOWANCE, frames::buffered, metrics, throttle), frames);
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.buffer(n).writeZero(n);
    }

    private static ByteBuf header(int length) {
        return Unpooled.buffer(4).writeInt(length);
    }

    @Test
    void onlyWhatAConnectionHoldsBeyondItsAllowanceIsCharged() {
        EmbeddedChannel a = channel(10_000);
        a.writeInbound(header(2000));
        a.writeInbound(bytes(96));
        assertThat(budget.held()).isZero(); // 100 held, all of it free
        a.writeInbound(bytes(400));
        assertThat(budget.held()).isEqualTo(400);
        a.finishAndReleaseAll();
        assertThat(budget.held()).isZero();
    }

    @Test
    void completeFramesGiveTheirBytesBack() {
        EmbeddedChannel a = channel(10_000);
        a.writeInbound(header(600));
        a.writeInbound(bytes(500));
        assertThat(budget.held()).isEqualTo(404);
        a.writeInbound(bytes(100).writeBytes(header(50)));
        ByteBuf frame = a.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(600);
        frame.release();
        assertThat(budget.held()).isZero(); // the 4 bytes of the next header are within the allowance
        a.finishAndReleaseAll();
    }

    @Test
    void theReadThatWouldExceedTheBudgetClosesItsConnectionAndOthersGoOn() {
        EmbeddedChannel a = channel(10_000);
        EmbeddedChannel b = channel(10_000);
        EmbeddedChannel c = channel(10_000);
        a.writeInbound(header(5000));
        a.writeInbound(bytes(696)); // 700 held, 600 charged
        b.writeInbound(header(5000));
        b.writeInbound(bytes(496)); // 500 held, 400 charged: 1000 in all
        assertThat(budget.held()).isEqualTo(1000);
        b.writeInbound(bytes(1));
        assertThat(b.isOpen()).isFalse();
        assertThat(metrics.inboundRefusals(InboundBudgetGuard.REASON)).isEqualTo(1);
        assertThat(budget.held()).isEqualTo(600); // b's charge given back when it closed
        // A small frame on a third connection never needs the budget.
        c.writeInbound(header(10).writeBytes(bytes(10)));
        ByteBuf small = c.readInbound();
        assertThat(small.readableBytes()).isEqualTo(10);
        small.release();
        assertThat(a.isOpen()).isTrue();
        a.finishAndReleaseAll();
        c.finishAndReleaseAll();
        assertThat(budget.held()).isZero();
    }

    @Test
    void theFrameLimitCanBeRaisedButNotLowered() {
        FrameDecoder frames = new FrameDecoder(16, tooLarge::add);
        EmbeddedChannel ch = new EmbeddedChannel(frames);
        ch.writeInbound(header(16).writeBytes(bytes(16)));
        ((ByteBuf) ch.readInbound()).release();
        frames.allowFramesUpTo(32);
        frames.allowFramesUpTo(8);
        assertThat(frames.maxFrameBytes()).isEqualTo(32);
        ch.writeInbound(header(32).writeBytes(bytes(32)));
        ((ByteBuf) ch.readInbound()).release();
        ch.writeInbound(header(33));
        assertThat(ch.isOpen()).isFalse();
        assertThat(tooLarge).containsExactly(FrameDecoder.TOO_LARGE);

        tooLarge.clear();
        EmbeddedChannel early = new EmbeddedChannel(new FrameDecoder(16, tooLarge::add));
        early.writeInbound(header(17));
        assertThat(early.isOpen()).isFalse();
        assertThat(tooLarge).containsExactly(FrameDecoder.TOO_LARGE_BEFORE_HELLO);
    }
}
