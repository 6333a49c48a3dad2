package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The STAMP interop sender that {@code e2e/hack/stamp-sender.sh} provisions runs, puts what
 * {@link StampSender} asks for on the wire, and reports replies (and their absence) so a test can
 * tell. Everything stays on loopback.
 */
class StampSenderTest {

    private static final Pattern LISTENING = Pattern.compile("STAMP Reflector listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

    @Test
    void helpExitsZeroAndNamesTheSenderOptions() {
        Exec.Result help =
                Exec.of(StampSender.binary().toString(), "--help").run().orThrow();

        assertThat(help.stdout()).contains("--remote-addr", "--remote-port", "--local-port", "--count", "--ssid");
    }

    @Test
    void itsOwnSenderAgainstItsOwnReflectorGetsEveryReply(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("reflector.log");
        Path stats = dir.resolve("reflector.out");
        ProcessBuilder launch = new ProcessBuilder(
                        StampSender.binary().toString(),
                        "--is-reflector",
                        "--local-addr",
                        "127.0.0.1",
                        "--local-port",
                        "0")
                .redirectOutput(stats.toFile())
                .redirectError(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        launch.environment().put("NO_COLOR", "1"); // a plain log, for the port and any failure message
        Process reflector = launch.start();
        try {
            int port = Await.until(Duration.ofSeconds(20), "the stamp-suite reflector to listen", () -> {
                Matcher m = LISTENING.matcher(ProcessLog.read(log));
                return m.find() ? Integer.valueOf(m.group(1)) : null;
            });

            StampSender.Report r = StampSender.to("127.0.0.1", port)
                    .count(5)
                    .interval(Duration.ofMillis(10))
                    .run();

            assertThat(r.sent()).isEqualTo(5);
            assertThat(r.received()).isEqualTo(5);
            assertThat(r.lost()).isZero();
            assertThat(r.replies()).extracting(StampSender.Reply::seq).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(r.replies()).allSatisfy(reply -> assertThat(reply.ttl()).isEqualTo(255));
            assertThat(r.minRttMs()).isPositive().isLessThanOrEqualTo(r.maxRttMs());
        } finally {
            reflector.destroy();
            reflector.waitFor(10, TimeUnit.SECONDS);
            reflector.destroyForcibly();
        }
        // On SIGTERM it prints its own count, an independent check on the sender's.
        assertThat(ProcessLog.read(stats)).contains("Total packets reflected: 5");
    }

    @Test
    void probesNobodyAnswersAreReportedLost() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StampSender.Report r = StampSender.to("127.0.0.1", silent.getLocalPort())
                    .count(3)
                    .interval(Duration.ofMillis(10))
                    .replyTimeoutSeconds(1)
                    .run();

            assertThat(r.sent()).isEqualTo(3);
            assertThat(r.received()).isZero();
            assertThat(r.lost()).isEqualTo(3);
            assertThat(r.replies()).isEmpty();
            assertThat(r.minRttMs()).isNaN();
        }
    }

    @Test
    void aProbeIsAnUnauthenticatedRfc8762PacketFromTheGivenPortWithTheGivenSsid() throws Exception {
        // A port that was free a moment ago, for the tool to bind as its source port.
        int sourcePort;
        try (DatagramSocket free = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            sourcePort = free.getLocalPort();
        }
        try (DatagramSocket probeSink =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            probeSink.setSoTimeout(20_000);
            StampSender sender = StampSender.to("127.0.0.1", probeSink.getLocalPort())
                    .fromPort(sourcePort)
                    .ssid(0x1234)
                    .count(1)
                    .replyTimeoutSeconds(1);
            CompletableFuture<StampSender.Report> run = CompletableFuture.supplyAsync(sender::run);

            DatagramPacket probe = new DatagramPacket(new byte[1500], 1500);
            probeSink.receive(probe);
            ByteBuffer b = ByteBuffer.wrap(probe.getData(), 0, probe.getLength());

            assertThat(probe.getPort()).isEqualTo(sourcePort);
            assertThat(probe.getLength()).isEqualTo(44); // RFC 8762 §4.2.1, no TLVs
            assertThat(b.getInt(0)).isZero(); // first Sequence Number
            long sentAtSeconds = Integer.toUnsignedLong(b.getInt(4)) - NTP_UNIX_OFFSET_SECONDS;
            assertThat(sentAtSeconds)
                    .isBetween(
                            Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 60);
            assertThat(b.getShort(14)).isEqualTo((short) 0x1234); // SSID, RFC 8972 §3
            assertThat(run.get(30, TimeUnit.SECONDS).lost()).isEqualTo(1);
        }
    }

    /** 44 bytes: RFC 8762 §4.3.1; 41: a TWAMP-Light reply without padding (RFC 5357 §4.2.1). */
    @ParameterizedTest
    @ValueSource(ints = {44, 41})
    void aPlainRfc8762ReflectionIsAccepted(int replyLength) throws Exception {
        try (DatagramSocket reflector =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            reflector.setSoTimeout(20_000);
            CompletableFuture<StampSender.Report> run = CompletableFuture.supplyAsync(
                    StampSender.to("127.0.0.1", reflector.getLocalPort()).count(3)::run);
            for (int i = 0; i < 3; i++) {
                DatagramPacket probe = new DatagramPacket(new byte[1500], 1500);
                reflector.receive(probe);
                byte[] reply = Rfc8762.reflect(probe.getData(), probe.getLength(), 1000 + i);
                reflector.send(new DatagramPacket(reply, replyLength, probe.getSocketAddress()));
            }

            StampSender.Report r = run.get(30, TimeUnit.SECONDS);
            assertThat(r.received()).isEqualTo(3);
            // The tool matches a reply by the Session-Sender Sequence Number it carries, not by the
            // reflector's own Sequence Number (stateful numbering from 1000 here).
            assertThat(r.replies()).extracting(StampSender.Reply::seq).containsExactly(0L, 1L, 2L);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the sender sent no probe", e);
        }
    }

    /** The unauthenticated Session-Reflector packet of RFC 8762 §4.3.1, written from the RFC's figure. */
    private static final class Rfc8762 {

        static byte[] reflect(byte[] probe, int length, int reflectorSequence) {
            ByteBuffer in = ByteBuffer.wrap(probe, 0, length);
            long received = ntpNow();
            ByteBuffer out = ByteBuffer.allocate(44);
            out.putInt(0, reflectorSequence);
            out.putShort(12, (short) 0x0001); // Error Estimate: unsynchronised, NTP, multiplier 1
            out.putShort(14, in.getShort(14)); // SSID copied (RFC 8972 §3)
            out.putLong(16, received); // Receive Timestamp
            out.putInt(24, in.getInt(0)); // Session-Sender Sequence Number
            out.putLong(28, in.getLong(4)); // Session-Sender Timestamp
            out.putShort(36, in.getShort(12)); // Session-Sender Error Estimate
            out.put(40, (byte) 255); // Session-Sender TTL: what a loopback probe arrives with
            out.putLong(4, ntpNow()); // Timestamp, taken last: as close to sending as this gets
            return out.array();
        }

        private static long ntpNow() {
            Instant now = Instant.now();
            long seconds = now.getEpochSecond() + NTP_UNIX_OFFSET_SECONDS;
            long fraction = (((long) now.getNano()) << 32) / 1_000_000_000L;
            return (seconds << 32) | fraction;
        }
    }
}
