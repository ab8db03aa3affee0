package io.g3k.dataplane.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TransportTest {
    private final String before = System.getProperty("g3k.transport");

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("g3k.transport");
        } else {
            System.setProperty("g3k.transport", before);
        }
    }

    @Test
    void unaskedTheFastestTheMachineHasIsChosen() {
        System.clearProperty("g3k.transport");
        Assumptions.assumeTrue(System.getenv("G3K_TRANSPORT") == null, "G3K_TRANSPORT set for this run");
        assertThat(Transport.chosen()).isEqualTo(Transport.unavailability(Transport.Kind.IO_URING) == null
                ? Transport.Kind.IO_URING : Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO);
    }

    @Test
    void anUnknownTransportIsAClearError() {
        System.setProperty("g3k.transport", "kqueue");
        assertThatThrownBy(Transport::chosen).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("G3K_TRANSPORT 'kqueue': expected io_uring, epoll or nio");
    }

    /** Netty's edge-triggered multishot POLLIN loses a FIN that arrives with the last bytes: g3k turns it off. */
    @Test
    void ioUringPollsOneShot() {
        Assumptions.assumeTrue(Transport.unavailability(Transport.Kind.IO_URING) == null, "no io_uring here");
        assertThat(IoUring.isPollAddMultishotEnabled()).isFalse();
    }

    /**
     * g3k's loops wait on I/O alone while nothing is scheduled ({@code Transport.Loop}): a task scheduled on an idle
     * loop, from its own thread or another, still runs when due, in order, none early.
     */
    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void scheduledTasksRunWhenDue(Transport.Kind kind) throws Exception {
        Assumptions.assumeTrue(Transport.unavailability(kind) == null, "no " + kind + " here");
        System.setProperty("g3k.transport", kind.toString());
        try (Transport transport = Transport.create(1)) {
            EventLoop loop = transport.workers().next();
            Thread.sleep(1200); // idle, waiting with no deadline
            long[] delaysMs = {3, 40, 1500};
            var ran = new ConcurrentLinkedQueue<long[]>();
            long start = System.nanoTime();
            for (long delay : delaysMs) {
                loop.schedule(() -> ran.add(new long[] {delay, System.nanoTime() - start}), delay, TimeUnit.MILLISECONDS);
            }
            loop.execute(() -> loop.schedule(() -> ran.add(new long[] {3000, System.nanoTime() - start}), 3000,
                    TimeUnit.MILLISECONDS)); // from the loop's own thread
            await().atMost(10, TimeUnit.SECONDS).until(() -> ran.size() == delaysMs.length + 1);
            assertThat(ran).extracting(r -> r[0]).containsExactly(3L, 40L, 1500L, 3000L);
            assertThat(ran).allSatisfy(r -> assertThat(r[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(r[0])));
        }
    }

    /** Each kind this machine has carries bytes both ways between its own client and server channels. */
    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void eachKindAskedForCarriesBytes(Transport.Kind kind) throws Exception {
        Assumptions.assumeTrue(Transport.unavailability(kind) == null, "no " + kind + " here");
        System.setProperty("g3k.transport", kind.toString());
        try (Transport transport = Transport.create(1)) {
            assertThat(transport.kind()).isEqualTo(kind);
            assertThat(transport.reusePort()).isEqualTo(kind != Transport.Kind.NIO);
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            ServerBootstrap sb = new ServerBootstrap().group(transport.workers()).channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            accepted.complete(ctx.channel());
                            ctx.writeAndFlush(msg); // echo
                        }
                    });
            transport.listenerOptions(sb, true);
            Channel server = sb.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = transport.tcpBootstrap(transport.workers().next(), true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            echoed.complete(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                            ((ByteBuf) msg).release();
                        }
                    }).connect(server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo("ping");
            // Nagle is off on both ends as Netty's channels make them: g3k does not set it again (a system call each)
            for (Channel ch : new Channel[] {client, accepted.get()}) {
                assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as(ch.toString()).isTrue();
            }
            client.close().sync();
            server.close().sync();
        }
    }

    /**
     * A stream's bytes arrive in order and whole, however they fall into reads, and its end is read even when it
     * comes with the last bytes (on io_uring, through the loop's shared receive buffers, on both the accepted and
     * the made connection).
     */
    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void aStreamAndItsEndArriveWhole(Transport.Kind kind) throws Exception {
        Assumptions.assumeTrue(Transport.unavailability(kind) == null, "no " + kind + " here");
        System.setProperty("g3k.transport", kind.toString());
        byte[] sent = new byte[3 * 1024 * 1024 + 7];
        new java.util.Random(7).nextBytes(sent);
        try (Transport transport = Transport.create(1)) {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            ServerBootstrap sb = new ServerBootstrap().group(transport.workers()).channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                            // the last bytes and the FIN leave together
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(sent)).addListener(f -> ctx.close());
                        }
                    });
            transport.listenerOptions(sb, true);
            Channel server = sb.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            var received = new java.io.ByteArrayOutputStream();
            CompletableFuture<byte[]> ended = new CompletableFuture<>();
            Channel client = transport.tcpBootstrap(transport.workers().next(), true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf bytes = (ByteBuf) msg;
                            byte[] copy = new byte[bytes.readableBytes()];
                            bytes.readBytes(copy);
                            bytes.release();
                            received.writeBytes(copy);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            ended.complete(received.toByteArray());
                        }
                    }).connect(server.localAddress()).sync().channel();
            assertThat(ended.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
            if (kind == Transport.Kind.IO_URING && IoUring.isRegisterBufferRingSupported()) {
                for (Channel ch : new Channel[] {client, accepted.get()}) {
                    assertThat(ch.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID))
                            .isEqualTo((short) 0);
                }
            }
            server.close().sync();
        }
    }

    /** Connections not asked to (tunnels, bulk streams) keep Netty's own reads, which grow to what a stream needs. */
    @Test
    void onlyConnectionsAskedForReadIntoTheSharedReceiveBuffers() throws Exception {
        Assumptions.assumeTrue(Transport.unavailability(Transport.Kind.IO_URING) == null, "no io_uring here");
        System.setProperty("g3k.transport", "io_uring");
        try (Transport transport = Transport.create(1)) {
            ServerBootstrap sb = new ServerBootstrap().group(transport.workers()).channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter());
            transport.listenerOptions(sb, false);
            Channel server = sb.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel client = transport.tcpBootstrap(transport.workers().next(), false)
                    .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
            assertThat(client.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID)).isEqualTo((short) -1);
            client.close().sync();
            server.close().sync();
        }
    }

    /** Unasked, io_uring workers come with epoll loops for relay-only servers; a connection follows its loop. */
    @Test
    void unaskedIoUringWorkersRelayOnEpoll() {
        System.clearProperty("g3k.transport");
        Assumptions.assumeTrue(System.getenv("G3K_TRANSPORT") == null, "G3K_TRANSPORT set for this run");
        Assumptions.assumeTrue(Transport.unavailability(Transport.Kind.IO_URING) == null, "no io_uring here");
        try (Transport transport = Transport.create(1)) {
            Transport relays = transport.relays();
            assertThat(relays.kind()).isEqualTo(Transport.Kind.EPOLL);
            assertThat(relays.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
            EventLoop relayLoop = relays.workers().next();
            EventLoop workerLoop = transport.workers().next();
            assertThat(transport.socketChannel(relayLoop)).isEqualTo(EpollSocketChannel.class);
            assertThat(transport.datagramChannel(relayLoop)).isEqualTo(EpollDatagramChannel.class);
            assertThat(transport.socketChannel(workerLoop)).isEqualTo(IoUringSocketChannel.class);
            assertThat(transport.datagramChannel(workerLoop)).isEqualTo(IoUringDatagramChannel.class);
        }
    }

    /** A transport asked for runs every loop, relays included. */
    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void askedForRelaysOnItToo(Transport.Kind kind) {
        Assumptions.assumeTrue(Transport.unavailability(kind) == null, "no " + kind + " here");
        System.setProperty("g3k.transport", kind.toString());
        try (Transport transport = Transport.create(1)) {
            assertThat(transport.relays()).isSameAs(transport);
            assertThat(transport.socketChannel(transport.workers().next())).isEqualTo(transport.socketChannel());
        }
    }

    @Test
    void sideLoopsUseEpollWhereThereIsNativeSupportForUnixSockets() {
        try (Transport side = Transport.side("test-side")) {
            assertThat(side.kind()).isEqualTo(Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO);
            assertThat(side.threads()).isEqualTo(1);
        }
    }
}
