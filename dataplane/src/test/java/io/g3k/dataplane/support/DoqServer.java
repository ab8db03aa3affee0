package io.g3k.dataplane.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A DNS-over-QUIC server (RFC 9250) on loopback for the resolver tests, built on Netty's QUIC server: no DNS server
 * on this machine speaks DoQ (Debian's unbound 1.17 has no DoQ). It answers A queries from a fixed table, NXDOMAIN
 * otherwise, and insists on what RFC 9250 asks of a client (ALPN doq, message ID 0, one query per stream).
 */
public final class DoqServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Map<String, String> records;

    /**
     * Runs a server in its own process (as a DoQ server is in production: in this JVM netty-tcnative may be loaded,
     * and QUIC's BoringSSL does not complete handshakes beside it). Args: certificate, key, name=ip...; prints the
     * port, then serves until killed.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> records = new java.util.HashMap<>();
        for (int i = 2; i < args.length; i++) {
            records.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        DoqServer server = new DoqServer(java.nio.file.Path.of(args[0]), java.nio.file.Path.of(args[1]), records);
        System.out.println(server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts {@link #main} in a new JVM and returns it with the port it serves on. */
    public record Running(Process process, int port) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    public static Running start(TestPki pki, Map<String, String> records) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DoqServer.class.getName(),
                pki.serverCertPem.toString(), pki.serverKeyPem.toString()));
        records.forEach((k, v) -> cmd.add(k + "=" + v));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String port = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (port == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the DoQ server did not start");
        }
        return new Running(p, Integer.parseInt(port.trim()));
    }

    DoqServer(java.nio.file.Path cert, java.nio.file.Path key, Map<String, String> records) throws Exception {
        this.records = records;
        var ssl = QuicSslContextBuilder.forServer(key.toFile(), null, cert.toFile())
                .applicationProtocols("doq").build();
        var codec = new QuicServerCodecBuilder().sslContext(ssl).maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(1 << 20).initialMaxStreamDataBidirectionalRemote(1 << 16)
                .initialMaxStreamsBidirectional(100).tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInboundHandlerAdapter())
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline().addLast(new Query());
                    }
                }).build();
        this.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private final class Query extends ChannelInboundHandlerAdapter {
        private final ByteBuf received = Unpooled.buffer();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ByteBuf in = (ByteBuf) msg;
            received.writeBytes(in);
            in.release();
            if (received.readableBytes() < 2 || received.readableBytes() - 2 < received.getUnsignedShort(0)) {
                return;
            }
            byte[] wire = new byte[received.readUnsignedShort()];
            received.readBytes(wire);
            received.release();
            Message query = new Message(wire);
            Message answer = new Message(query.getHeader().getID());
            answer.getHeader().setFlag(Flags.QR);
            answer.addRecord(query.getQuestion(), Section.QUESTION);
            String name = query.getQuestion().getName().toString();
            String ip = records.get(name);
            if (query.getHeader().getID() != 0) {
                answer.getHeader().setRcode(Rcode.FORMERR);
            } else if (ip != null && query.getQuestion().getType() == Type.A) {
                answer.addRecord(new ARecord(Name.fromString(name), DClass.IN, 300, InetAddress.getByName(ip)),
                        Section.ANSWER);
            } else if (ip == null) {
                answer.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            byte[] out = answer.toWire();
            ctx.writeAndFlush(Unpooled.buffer().writeShort(out.length).writeBytes(out))
                    .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        }
    }
}
