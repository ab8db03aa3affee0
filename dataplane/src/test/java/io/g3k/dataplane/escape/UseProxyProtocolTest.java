package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An escaper's {@code use_proxy_protocol}: each connection it makes opens with a PROXY protocol header announcing the
 * task's client and the server's address it came to. Read by Netty's own decoder in an origin here, and by squid as a
 * next proxy that requires the header.
 */
class UseProxyProtocolTest {
    @TempDir
    Path dir;

    /**
     * An origin that reads the header and answers each HTTP request with what it announced: {@code version source
     * destination}; a connection without the header is closed by the decoder.
     */
    private static final class AnnouncedOrigin implements AutoCloseable {
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final Channel server;

        AnnouncedOrigin() throws InterruptedException {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HAProxyMessageDecoder(), new Answer());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        private static final class Answer extends SimpleChannelInboundHandler<Object> {
            private String announced = "none";

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HAProxyMessage m) {
                    announced = m.protocolVersion() + " " + m.sourceAddress() + ":" + m.sourcePort() + " "
                            + m.destinationAddress() + ":" + m.destinationPort();
                    return;
                }
                // a request (curl's are one read each): answer it
                byte[] body = (announced + "\n").getBytes(StandardCharsets.UTF_8);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body));
            }
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully().syncUninterruptibly();
        }
    }

    private static String config(String escaperKeys, String servers) {
        return Yaml.RESOLVER_AND_ESCAPER.replace("egress_network_filter:", escaperKeys + "\n    egress_network_filter:")
                + "server:\n" + servers;
    }

    /** Forwarded, through CONNECT and through SOCKS5: the client curl is, and the proxy port it came to. */
    @Test
    void aDirectEscaperAnnouncesEachTasksClient() throws Exception {
        try (AnnouncedOrigin origin = new AnnouncedOrigin();
             RunningProxy proxy = RunningProxy.start(dir, config("use_proxy_protocol: 1", """
                       - {name: http, type: http_proxy, escaper: default, listen: "127.0.0.1:0"}
                       - {name: socks, type: socks_proxy, escaper: default, listen: "127.0.0.1:0"}
                     """))) {
            String url = "http://127.0.0.1:" + origin.port() + "/";
            for (List<String> via : List.of(List.of("-x", "http://127.0.0.1:" + proxy.port("http")),
                    List.of("-px", "http://127.0.0.1:" + proxy.port("http")),
                    List.of("-x", "socks5h://127.0.0.1:" + proxy.port("socks")))) {
                var args = new java.util.ArrayList<>(via);
                args.addAll(List.of("-w", "%{local_port}", url));
                var curl = Curl.run(args.toArray(String[]::new));
                String server = via.getLast().endsWith(String.valueOf(proxy.port("socks"))) ? "socks" : "http";
                String localPort = curl.out().substring(curl.out().indexOf('\n') + 1);
                assertThat(curl.out()).as(via + curl.err()).startsWith("V1 127.0.0.1:" + localPort
                        + " 127.0.0.1:" + proxy.port(server) + "\n");
            }
        }
    }

    /** v2, from an http_rproxy: its idle upstream connections are not handed to another client, whose they are not. */
    @Test
    void aReverseProxysConnectionsAreEachClientsOwn() throws Exception {
        try (AnnouncedOrigin origin = new AnnouncedOrigin();
             RunningProxy proxy = RunningProxy.start(dir, config("use_proxy_protocol: v2", """
                       - name: rproxy
                         type: http_rproxy
                         escaper: default
                         listen: "127.0.0.1:0"
                         hosts:
                           - {set_default: true, upstream: "127.0.0.1:%d"}
                     """.formatted(origin.port())))) {
            for (int i = 0; i < 3; i++) { // one client after another: the first's upstream connection lies idle
                var curl = Curl.run("-w", "%{local_port}", "http://127.0.0.1:" + proxy.port("rproxy") + "/");
                String localPort = curl.out().substring(curl.out().indexOf('\n') + 1);
                assertThat(curl.out()).as(curl.err()).startsWith("V2 127.0.0.1:" + localPort + " ");
            }
        }
    }

    /**
     * squid, as the next proxy, requires the header (and refuses a connection without one): a forwarded request and
     * a tunnel go through, and squid logs the client g3k announced, port and all.
     */
    @Test
    void aNextProxyThatRequiresTheHeaderSeesTheClient() throws Exception {
        try (TestOrigin origin = TestOrigin.http();
             PeerProcess squid = PeerProcess.squid(" require-proxy-header", List.of("proxy_protocol_access allow all"));
             RunningProxy proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                       - {name: squid, type: proxy_http, proxy_addr: "127.0.0.1:%d", use_proxy_protocol: 2}
                       - {name: plain, type: proxy_http, proxy_addr: "127.0.0.1:%1$d"}
                     server:
                       - {name: http, type: http_proxy, escaper: squid, listen: "127.0.0.1:0"}
                       - {name: plain, type: http_proxy, escaper: plain, listen: "127.0.0.1:0"}
                     """.formatted(squid.port()))) {
            String url = "http://127.0.0.1:" + origin.port() + "/pp";
            var forwarded = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "-w", "%{local_port}", url);
            var tunneled = Curl.run("-px", "http://127.0.0.1:" + proxy.port("http"), "-w", "%{local_port}", url);
            assertThat(forwarded.out()).as(forwarded.err()).startsWith("hello /pp\n");
            assertThat(tunneled.out()).as(tunneled.err()).startsWith("hello /pp\n");
            Path log = squid.home().resolve("access.log");
            String forwardedPort = forwarded.out().substring("hello /pp\n".length());
            String tunneledPort = tunneled.out().substring("hello /pp\n".length());
            Awaitility.await().untilAsserted(() -> assertThat(log).exists().content()
                    .contains("127.0.0.1:" + forwardedPort + " GET " + url)
                    .contains("127.0.0.1:" + tunneledPort + " CONNECT 127.0.0.1:" + origin.port()));
            var refused = Curl.run("-x", "http://127.0.0.1:" + proxy.port("plain"), "-o", "/dev/null", "-w",
                    "%{http_code}", url);
            assertThat(refused.out()).as("without the header squid closes the connection").isNotEqualTo("200");
        }
    }
}
