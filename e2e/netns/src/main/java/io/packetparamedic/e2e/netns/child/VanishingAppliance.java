package io.packetparamedic.e2e.netns.child;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.reflector.client.LinkClient;
import io.packetparamedic.reflector.wire.Payload;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An appliance that is about to vanish: it connects, takes a throughput session, starts its
 * iperf3 client as the field client does, prints {@code RUNNING <test id>} and then just keeps
 * everything open until the test kills it together with its namespace. It never closes anything
 * itself: whatever the reflector frees afterwards, it frees on its own.
 *
 * <p>Arguments: server (HOST:PORT), identity (key file), duration (seconds of the session).
 */
public final class VanishingAppliance {

    private VanishingAppliance() {}

    public static void main(String[] args) throws Exception {
        String[] server = args[0].split(":");
        Ed25519Identity identity = Ed25519Identity.loadOrCreate(Path.of(args[1]));
        int duration = Integer.parseInt(args[2]);
        LinkClient client = LinkClient.connect(
                server[0],
                Integer.parseInt(server[1]),
                identity,
                LinkClient.Options.defaults().withReadTimeout(Duration.ofSeconds(30)));
        client.hello();
        Payload answer = client.sessionRequest("throughput", new Payload.SessionParams(duration, "tcp", 4, false));
        if (!(answer instanceof Payload.SessionGrant grant)) {
            System.out.println("DENIED " + answer);
            System.exit(1);
            return;
        }
        Process iperf3 = new ProcessBuilder(
                        "iperf3",
                        "-c",
                        server[0],
                        "-p",
                        Integer.toString(grant.port()),
                        "-t",
                        Integer.toString(duration),
                        "-P",
                        "4",
                        "-b",
                        "50M")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        System.out.println("RUNNING " + grant.testId() + " " + grant.expiresAt() + " iperf3_pid=" + iperf3.pid());
        System.out.flush();
        iperf3.waitFor();
        Thread.sleep(Long.MAX_VALUE);
    }
}
