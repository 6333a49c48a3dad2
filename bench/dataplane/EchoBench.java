import io.packetparamedic.reflector.engine.EngineRequest;
import io.packetparamedic.reflector.engine.UdpEchoEngine;
import java.net.InetAddress;

/** Runs the reflector's UDP echo engine on PORT (rate limit out of the way) until stdin closes. */
public class EchoBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        try (UdpEchoEngine engine = new UdpEchoEngine(() -> new UdpEchoEngine.Settings(1_000_000_000L, true))) {
            UdpEchoEngine.Echo echo =
                    engine.start(new EngineRequest("bench", port, 3600, InetAddress.getByName("127.0.0.1")));
            System.out.println("ready " + (engine.nativeTransport() ? "epoll" : "nio"));
            System.out.flush();
            while (System.in.read() >= 0) {}
            echo.stop();
            echo.completion().get();
        }
    }
}
