package io.g3k.dataplane.runtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event loops and the channel classes that go with them. The workers use io_uring where the kernel allows it
 * (container runtimes' default seccomp profiles often do not), else epoll, else NIO; {@code G3K_TRANSPORT} (or the
 * system property {@code g3k.transport}) picks one for every loop: {@code io_uring}, {@code epoll} or {@code nio}.
 *
 * <p>On io_uring, Netty's multishot POLLIN is off unless {@code io.netty.iouring.pollAddMultishotEnabled} is set:
 * it is edge-triggered, and when a peer's last bytes and its FIN (or reset) arrive together, the read of the
 * bytes finds the socket empty and Netty waits for an edge that never comes, so the end is never read and a relay
 * holds both its sockets for good. One-shot polls cost about 3% more CPU per small relayed request.
 *
 * <p>HTTP connections on io_uring workers (a client's of http_proxy or http_rproxy, an upstream's for a forwarded
 * request) read into their loop's shared receive buffers (a registered buffer ring, {@value #RECEIVE_BUFFER_SIZE}
 * bytes a buffer, used up piece by piece): the kernel picks the buffer when bytes arrive, so one multishot receive
 * serves a connection for as long as it reads, with no poll before each read and no buffer allocated per read or held
 * by a connection waiting for bytes. That cut the CPU per proxied HTTP request by 5–11% in duels. A multishot receive
 * reports the end of a stream itself (a read of 0), so the race above does not apply to it. Other connections keep
 * Netty's reads, which grow to what a bulk stream needs: through 16 KiB buffers a 1 GiB CONNECT download cost 25%
 * more CPU. A client's upload through a CONNECT tunnel does read through them. Buffer rings need Linux 5.19; on an
 * older kernel every connection reads the Netty way.
 *
 * <p>Servers that only relay bytes ({@code tcp_stream}, {@code sni_proxy}) run on loops of their own, {@link #relays},
 * which are epoll beside io_uring workers that were not asked for: a relayed read costs less CPU on epoll (4–5% per small
 * relayed request in duels), where HTTP costs less on io_uring (about 8%). Connections made for a task go on the
 * client's loop, so their channel class follows that loop ({@link #tcpBootstrap(EventLoop, boolean)}).
 *
 * <p>Nagle's algorithm is off on every TCP connection, accepted or made: Netty's socket channels of each kind turn it
 * off as they are made, so nothing here sets it again (a {@code setsockopt} per connection; {@code TransportTest}
 * checks it); only a server's or escaper's {@code tcp_misc_opts.no_delay} sets it.
 *
 * @param relays the relay-only servers' loops, or null where they are the workers
 */
public record Transport(EventLoopGroup workers, Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel, Class<? extends DatagramChannel> datagramChannel,
                        Kind kind, int threads, Transport relays) implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");
    private static final String MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";
    private static final short RECEIVE_BUFFERS = 0;
    /** g3proxy's default tcp_copy_buffer_size, and a TLS record's largest plaintext. */
    private static final int RECEIVE_BUFFER_SIZE = 16 * 1024;

    static {
        // before Netty's IoUring class reads it
        if (System.getProperty(MULTISHOT_POLL) == null) {
            System.setProperty(MULTISHOT_POLL, "false");
        }
    }

    public enum Kind {
        IO_URING, EPOLL, NIO;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The worker loops: {@code threads}, or one per CPU when 0. */
    public static Transport create(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Kind kind = chosen();
        Transport relays = kind == Kind.IO_URING && asked().isBlank() && Epoll.isAvailable()
                ? create(n, "g3k-relay", Kind.EPOLL, null) : null;
        return create(n, "g3k-worker", kind, relays);
    }

    /**
     * Loops of their own for a side job (control, StatsD): epoll where there is native support, since Unix domain
     * sockets need it, else NIO.
     */
    public static Transport side(String threadName) {
        return create(1, threadName, Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO, null);
    }

    private static Transport create(int n, String threadName, Kind kind, Transport relays) {
        return switch (kind) {
            case IO_URING -> new Transport(loops(n, threadName, receiveBuffersAvailable()
                    ? IoUringIoHandler.newFactory(receiveBuffers()) : IoUringIoHandler.newFactory()),
                    IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class, kind, n,
                    relays);
            case EPOLL -> new Transport(loops(n, threadName, EpollIoHandler.newFactory()),
                    EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class, kind, n,
                    relays);
            case NIO -> new Transport(loops(n, threadName, NioIoHandler.newFactory()),
                    NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class, kind, n, relays);
        };
    }

    /** Registered buffer rings came with Linux 5.19; without them every connection reads the Netty way. */
    private static boolean receiveBuffersAvailable() {
        return IoUring.isRegisterBufferRingSupported();
    }

    /**
     * Each io_uring loop's receive buffers: 64 at first, more (up to 256) when a batch of reads finds them all taken;
     * a buffer used up is replaced at once, so buffers still held by slow connections never starve the ring.
     */
    private static IoUringIoHandlerConfig receiveBuffers() {
        return new IoUringIoHandlerConfig().setBufferRingConfig(IoUringBufferRingConfig.builder()
                .bufferGroupId(RECEIVE_BUFFERS).bufferRingSize((short) 256).batchSize(64)
                .allocator(new IoUringFixedBufferRingAllocator(RECEIVE_BUFFER_SIZE)).build());
    }

    /** The loops of servers that only relay bytes (tcp_stream, sni_proxy): see the class comment. */
    public Transport relays() {
        return relays == null ? this : relays;
    }

    /** The TCP channel class for a connection made on {@code loop}, a loop of these workers or of their relays. */
    Class<? extends SocketChannel> socketChannel(EventLoop loop) {
        return ofLoop(loop).socketChannel;
    }

    /**
     * A TCP connection to make on {@code loop}, a loop of these workers or of their relays: the loop's channel class
     * and, with {@code sharedReceiveBuffers} on io_uring, the loop's shared receive buffers (see the class comment).
     */
    public Bootstrap tcpBootstrap(EventLoop loop, boolean sharedReceiveBuffers) {
        Transport transport = ofLoop(loop);
        Bootstrap b = new Bootstrap().group(loop).channel(transport.socketChannel);
        if (sharedReceiveBuffers && transport.kind == Kind.IO_URING && receiveBuffersAvailable()) {
            b.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, RECEIVE_BUFFERS);
        }
        return b;
    }

    /** The UDP channel class for a socket made on {@code loop}, a loop of these workers or of their relays. */
    public Class<? extends DatagramChannel> datagramChannel(EventLoop loop) {
        return ofLoop(loop).datagramChannel;
    }

    private Transport ofLoop(EventLoop loop) {
        return relays != null && loop.parent() == relays.workers ? relays : this;
    }

    /**
     * The loops, without suspension: a loop that may be suspended (Netty 4.2's auto-scaling, which g3k does not
     * use; epoll and io_uring handlers allow it) times every round of I/O. The wrapper keeps the handler and says it
     * cannot move threads, so nothing is timed. Each loop is a {@link Loop}.
     */
    private static EventLoopGroup loops(int n, String threadName, IoHandlerFactory handlers) {
        IoHandlerFactory unsuspendable = handlers::newHandler;
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(threadName), unsuspendable) {
            @Override
            protected IoEventLoop newChild(Executor executor, IoHandlerFactory factory, Object... args) {
                return new Loop(this, executor, factory);
            }
        };
    }

    /**
     * A loop that, with no task scheduled, waits on I/O alone. Netty's loops then wait until "a second from now", a
     * deadline new each round, so each round read the clock to set it (epoll: twice in Java and once in its native
     * wait; io_uring: once, and it queues a timeout entry with the wait). Long timers stay off the loops' schedules
     * ({@link io.g3k.dataplane.util.CoarseTimer}), so in steady traffic a loop reads no clock at all: the clock had
     * been 2.9% of the SNI relay's CPU in a profile.
     */
    private static final class Loop extends SingleThreadIoEventLoop {
        Loop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory handlers) {
            super(parent, executor, handlers);
        }

        @Override
        protected long deadlineNanos() {
            return nextScheduledTaskDeadlineNanos(); // -1, "nothing scheduled", where Netty would say "in a second"
        }
    }

    /** The kind asked for, if this machine has it (else a clear error); unasked, the fastest it has. */
    static Kind chosen() {
        String asked = asked();
        if (asked.isBlank()) {
            if (IoUring.isAvailable()) {
                return Kind.IO_URING;
            }
            LOG.info("transport: no io_uring ({})", IoUring.unavailabilityCause().getMessage());
            return Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
        }
        Kind kind;
        try {
            kind = Kind.valueOf(asked.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("G3K_TRANSPORT '" + asked + "': expected io_uring, epoll or nio");
        }
        Throwable missing = unavailability(kind);
        if (missing != null) {
            throw new IllegalStateException("transport " + kind + " is not available here: " + missing.getMessage(),
                    missing);
        }
        return kind;
    }

    private static String asked() {
        return System.getProperty("g3k.transport", System.getenv().getOrDefault("G3K_TRANSPORT", ""));
    }

    /** Why this machine lacks a kind, or null if it has it. */
    static Throwable unavailability(Kind kind) {
        return switch (kind) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
    }

    /** Several sockets can listen on one port (listen_in_worker, and a successor binding during a hot upgrade). */
    public boolean reusePort() {
        return kind != Kind.NIO;
    }

    /**
     * Sets SO_REUSEPORT on a listener where {@link #reusePort()}, and with {@code sharedReceiveBuffers} on io_uring has
     * its connections read into their loop's shared receive buffers.
     */
    public void listenerOptions(ServerBootstrap b, boolean sharedReceiveBuffers) {
        switch (kind) {
            case IO_URING -> {
                b.option(IoUringChannelOption.SO_REUSEPORT, true);
                if (sharedReceiveBuffers && receiveBuffersAvailable()) {
                    b.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, RECEIVE_BUFFERS);
                }
            }
            case EPOLL -> b.option(EpollChannelOption.SO_REUSEPORT, true);
            case NIO -> { }
        }
    }

    @Override
    public void close() {
        if (relays != null) {
            relays.close();
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
