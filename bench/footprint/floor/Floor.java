import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The floor under the reflector's idle memory: what the JVM costs with the launcher's flags for
 * the least a reflector must do — a Netty epoll server taking mutual TLS 1.3 with Ed25519 keys and
 * answering a length-prefixed frame — and nothing else (no configuration, JSON, logging, metrics,
 * health endpoint, audit or sessions). Not a reflector: it accepts any client certificate.
 *
 * <p>{@code Floor serve KEYSTORE PORT} serves; {@code Floor hello KEYSTORE PORT} makes one
 * handshake and one round trip as a client, so that a class-data-sharing archive recorded while
 * the server runs holds the handshake's classes, as the reflector's archive does.
 */
public final class Floor {
    private static final char[] PASSWORD = "floor-bench".toCharArray();

    public static void main(String[] args) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(args[1])) {
            store.load(in, PASSWORD);
        }
        keys.init(store, PASSWORD);
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("serve")) {
            serve(keys, port);
        } else {
            hello(keys, port);
        }
    }

    private static void serve(KeyManagerFactory keys, int port) throws Exception {
        SslContext tls = SslContextBuilder.forServer(keys)
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .trustManager(ANY)
                .clientAuth(ClientAuth.REQUIRE)
                .build();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        new ServerBootstrap()
                .group(loops)
                .channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(tls.newHandler(ch.alloc()))
                                .addLast(new LengthFieldBasedFrameDecoder(65536, 0, 4, 0, 4))
                                .addLast(new LengthFieldPrepender(4))
                                .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                        ctx.writeAndFlush(frame.retain());
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", port)
                .sync();
        System.out.println("ready");
    }

    private static void hello(KeyManagerFactory keys, int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), new TrustManager[] {ANY}, null);
        try (var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            byte[] hello = "{\"type\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
            var out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(hello.length);
            out.write(hello);
            out.flush();
            var in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            System.out.println("answered " + new String(answer, StandardCharsets.UTF_8));
        }
    }

    private static final X509TrustManager ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
