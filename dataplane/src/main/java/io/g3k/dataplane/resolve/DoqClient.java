package io.g3k.dataplane.resolve;

import io.g3k.config.TlsClientConfig;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.ConfigException;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.Message;

/**
 * DNS over QUIC (RFC 9250) with Netty's QUIC codec: one QUIC connection per server (ALPN {@code doq}, verified as
 * DoT is), kept and reused; each query on its own bidirectional stream, length-prefixed, with message ID 0 on the
 * wire. Called from the resolver's own threads, which wait for the answer; QUIC runs on one event loop of its own.
 */
final class DoqClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final QuicSslContext ssl;
    private final Optional<String> tlsName;
    private final Duration timeout;
    private final Map<UpstreamAddr, QuicChannel> connections = new ConcurrentHashMap<>();

    DoqClient(TlsClientConfig tls, Optional<String> tlsName, Duration timeout, String location) {
        this.tlsName = tlsName;
        this.timeout = timeout;
        if (!TlsClientContexts.avoidOpenSsl()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new ConfigException(location + ": DNS over QUIC cannot start in a process that already uses "
                    + "netty-tcnative (added by a reload?): restart g3k with this config");
        }
        try {
            QuicSslContextBuilder builder = QuicSslContextBuilder.forClient().applicationProtocols("doq")
                    .endpointIdentificationAlgorithm("HTTPS").trustManager(TlsClientContexts.trusted(tls));
            if (tls.certificate().isPresent()) {
                builder.keyManager(tls.privateKey().orElseThrow().toFile(), null, tls.certificate().get().toFile());
            }
            this.ssl = builder.build();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new ConfigException(location + " key 'tls_client': " + e.getMessage(), e);
        }
    }

    Message exchange(UpstreamAddr server, Message query) throws IOException {
        Message wire = query.clone();
        wire.getHeader().setID(0);
        byte[] bytes = wire.toWire();
        String stage = "QUIC handshake";
        try {
            QuicChannel quic = connection(server);
            stage = "stream";
            Promise<ByteBuf> answer = group.next().newPromise();
            QuicStreamChannel stream = quic.createStream(QuicStreamType.BIDIRECTIONAL, new Answer(answer))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            stage = "answer";
            stream.writeAndFlush(Unpooled.buffer(bytes.length + 2).writeShort(bytes.length).writeBytes(bytes))
                    .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
            ByteBuf received = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                byte[] message = new byte[received.readableBytes()];
                received.readBytes(message);
                Message response = new Message(message);
                response.getHeader().setID(query.getHeader().getID());
                return response;
            } finally {
                received.release();
            }
        } catch (TimeoutException e) {
            throw new IOException("DoQ server " + server + ": no " + stage + " in " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            connections.remove(server);
            throw new IOException("DoQ with " + server + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private QuicChannel connection(UpstreamAddr server) throws InterruptedException, ExecutionException,
            TimeoutException {
        QuicChannel existing = connections.get(server);
        if (existing != null && existing.isActive()) {
            return existing;
        }
        String host = tlsName.orElse(server.host());
        Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new QuicClientCodecBuilder().sslContext(ssl)
                        .sslEngineProvider(q -> ssl.newEngine(q.alloc(), host, server.port()))
                        .maxIdleTimeout(30, TimeUnit.SECONDS).initialMaxData(1 << 20)
                        .initialMaxStreamDataBidirectionalLocal(1 << 16).build())
                .bind(0).sync().channel();
        QuicChannel quic = QuicChannel.newBootstrap(udp).streamHandler(new ChannelInboundHandlerAdapter())
                .remoteAddress(new InetSocketAddress(server.ip().orElseThrow(), server.port()))
                .connect().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        quic.closeFuture().addListener(f -> udp.close());
        QuicChannel raced = connections.put(server, quic);
        if (raced != null && raced != quic) {
            raced.close();
        }
        return quic;
    }

    @Override
    public void close() {
        connections.values().forEach(QuicChannel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Reads one length-prefixed answer from a stream, then completes. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final Promise<ByteBuf> result;
        private final ByteBuf received = Unpooled.buffer();

        Answer(Promise<ByteBuf> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                received.writeBytes(in);
            } finally {
                in.release();
            }
            if (received.readableBytes() >= 2 && received.readableBytes() - 2 >= received.getUnsignedShort(0)) {
                int length = received.readUnsignedShort();
                if (!result.trySuccess(received.readRetainedSlice(length))) {
                    received.release();
                }
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.tryFailure(new IOException("the DoQ stream closed before a whole answer"));
            if (received.refCnt() > 0) {
                received.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.tryFailure(cause);
            ctx.close();
        }
    }
}
