package io.packetparamedic.e2e.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import io.packetparamedic.e2e.harness.StampSender;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 3: the packaged reflector's STAMP Session-Reflector (unauthenticated, RFC 8762)
 * driven by a Session-Sender nobody here wrote — stamp-suite from crates.io
 * (docs/testing/stamp-interop.md). The appliance asks for a {@code stamp} session over Paramedic
 * Link; the independent sender's probes to the granted port are all answered and matched by the
 * sender itself, the reflector counts each one, and after the session is closed the same sender
 * gets no answer at all.
 */
class StampInteropTest {

    @TempDir
    Path work;

    @Test
    void anIndependentSenderIsAnsweredInsideTheGrantedSessionAndNotAfterIt() throws Exception {
        Ed25519Identity appliance = Ed25519Identity.generate();
        try (ReflectorProcess reflector = ReflectorProcess.serve(
                                List.of(), List.of(), writeConfig(appliance), work.resolve("reflector.log"))
                        .awaitBanner(Duration.ofSeconds(60));
                LinkClient link = LinkClient.connect(
                        reflector.host(),
                        reflector.port(),
                        appliance,
                        LinkClient.Options.defaults().pinning(EndpointId.parse(reflector.endpointId())))) {
            Payload answer = link.sessionRequest("stamp", new Payload.SessionParams(30, null, null, null));
            assertThat(answer).as("the stamp session request").isInstanceOf(Payload.SessionGrant.class);
            Payload.SessionGrant grant = (Payload.SessionGrant) answer;

            StampSender.Report during = StampSender.to("127.0.0.1", grant.port())
                    .count(50)
                    .interval(Duration.ofMillis(20))
                    .run();
            System.err.printf(
                    "[stamp-interop] stamp-suite: %d sent, %d answered, RTT %.3f-%.3f ms%n",
                    during.sent(), during.received(), during.minRttMs(), during.maxRttMs());
            assertThat(during.sent()).isEqualTo(50);
            assertThat(during.received())
                    .as("probes the independent sender matched to an answer")
                    .isEqualTo(50);
            assertThat(during.lost()).isZero();
            assertThat(during.replies())
                    .extracting(StampSender.Reply::seq)
                    .as("the Session-Sender Sequence Numbers copied back")
                    .containsExactlyElementsOf(LongStream.range(0, 50).boxed().toList());
            assertThat(during.replies()).allSatisfy(r -> assertThat(r.rttMs()).isPositive());
            assertThat(metrics(reflector))
                    .as("the reflector's own count of the probes it timed")
                    .contains("reflector_stamp_residence_seconds_count 50");

            assertThat(link.sessionClose(grant.testId())).isInstanceOf(Payload.Ok.class);
            StampSender.Report after = StampSender.to("127.0.0.1", grant.port())
                    .count(3)
                    .replyTimeoutSeconds(1)
                    .run();
            assertThat(after.sent()).isEqualTo(3);
            assertThat(after.received())
                    .as("answers after the session was closed")
                    .isZero();
        }
    }

    private Path writeConfig(Ed25519Identity appliance) throws Exception {
        int base = 30_000 + ThreadLocalRandom.current().nextInt(200) * 100;
        return ReflectorProcess.writeStandaloneConfig(
                work, base, base + 9, List.of(appliance.endpointId().toString()), "");
    }

    private static String metrics(ReflectorProcess reflector) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflector.healthPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
