package io.g3k.dataplane.tls;

import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AsyncMapping;
import io.netty.util.Timeout;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A TLS connection's timeouts, on the {@link CoarseTimer}: its handshake, and on close the flush of its close_notify.
 * Netty's {@code SslHandler} and {@code SniHandler} put a task on the loop's schedule for the handshake, and on io_uring
 * (where a flush completes later) for every close too. The JIT compiles a loop that has run without any for "nothing is
 * ever scheduled"; the first TLS connection after a while of other traffic threw that code away (an uncommon trap in
 * {@code hasScheduledTasks}) and cost seconds of the loop's core to compile it again. With connects timed off the loop
 * too ({@link io.g3k.dataplane.util.ConnectTimeout}), no steady load puts a task on a loop's schedule.
 *
 * <p>A handshake that times out fails as under Netty's own timeout: the handshake future fails with an
 * {@link SslHandshakeTimeoutException}, an {@link SslHandshakeCompletionEvent} with it goes down the pipeline (our
 * handlers listen for it), and the channel closes. Handshake timeouts under a second keep Netty's exact timer
 * ({@link CoarseTimer#suits}).
 */
public final class TlsTimeouts {
    /** SslHandler's default: how long a closing connection may take to send its close_notify. */
    static final Duration CLOSE_NOTIFY_FLUSH = Duration.ofSeconds(3);

    private TlsTimeouts() {}

    /**
     * Adds {@code ssl} to the pipeline of {@code channel} (connected) with {@code place}, its handshake bounded by
     * {@code timeout} from now and, on close, the flush of its close_notify.
     */
    public static SslHandler add(Channel channel, SslHandler ssl, Duration timeout,
                                 BiConsumer<ChannelPipeline, SslHandler> place) {
        addTimedByCaller(channel, ssl, timeout, place);
        timeHandshake(channel, ssl, timeout);
        return ssl;
    }

    /**
     * Bounds the handshake of {@code ssl}, added with {@link #addTimedByCaller}, by {@code timeout} from now: for a
     * channel that was still connecting then, call it once connected, where Netty's own timer would have started.
     */
    public static void timeHandshake(Channel channel, SslHandler ssl, Duration timeout) {
        if (CoarseTimer.suits(timeout)) {
            Timeout timer = CoarseTimer.schedule(channel.eventLoop(), () -> expire(ssl, channel, timeout),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            ssl.handshakeFuture().addListener(done -> timer.cancel());
        }
    }

    /**
     * Adds {@code ssl} to the pipeline of {@code channel} with {@code place} and the flush of its close_notify on
     * close. A {@code timeout} that {@link CoarseTimer#suits} the coarse timer leaves the handshake without a timer:
     * the caller times it (on a channel still connecting: from the connection on, with what comes after it) and
     * {@link #expire}s it; a shorter one keeps Netty's.
     */
    public static SslHandler addTimedByCaller(Channel channel, SslHandler ssl, Duration timeout,
                                              BiConsumer<ChannelPipeline, SslHandler> place) {
        ssl.setCloseNotifyFlushTimeoutMillis(0);
        ssl.setHandshakeTimeoutMillis(CoarseTimer.suits(timeout) ? 0 : timeout.toMillis());
        place.accept(channel.pipeline(), ssl);
        ChannelHandlerContext ctx = channel.pipeline().context(ssl);
        if (ctx != null) {
            guardClose(channel.pipeline(), ctx.name());
        }
        return ssl;
    }

    /**
     * Netty's {@link SniHandler} (server side: added to a connected channel), with the ClientHello and the handshake
     * after it bounded together by one {@code timeout}, and the close_notify's flush by {@link #CLOSE_NOTIFY_FLUSH}.
     */
    public static SniHandler sni(AsyncMapping<? super String, ? extends SslContext> bySni, int maxClientHello,
                                 Duration timeout) {
        return new CoarseSniHandler(bySni, maxClientHello, timeout);
    }

    private static void guardClose(ChannelPipeline pipeline, String tlsName) {
        pipeline.addAfter(tlsName, tlsName + "-close", CloseNotifyTimeout.INSTANCE);
    }

    /** Fails the handshake of {@code ssl} as timed out after {@code timeout}, as Netty's timer would, and closes. */
    public static void expire(SslHandler ssl, Channel channel, Duration timeout) {
        SslHandshakeTimeoutException cause = timedOut(timeout);
        // the handshake future is SslHandler's own promise: failing it first is what Netty's timeout does too
        if (ssl.handshakeFuture() instanceof Promise<Channel> handshake && handshake.tryFailure(cause)) {
            ChannelHandlerContext ctx = channel.pipeline().context(ssl);
            if (ctx != null) {
                ctx.flush();
                ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));
            }
            channel.close();
        }
    }

    private static SslHandshakeTimeoutException timedOut(Duration timeout) {
        return new SslHandshakeTimeoutException("handshake timed out after " + timeout.toMillis() + "ms");
    }

    /**
     * Sees a close before the SslHandler does, which then sends its close_notify and closes once that is flushed: a
     * peer that reads nothing more would keep the connection open, so after {@link #CLOSE_NOTIFY_FLUSH} the socket is
     * closed under it (as SslHandler's own flush timeout would). It stays with the SslHandler when a relay takes over.
     */
    @Sharable
    private static final class CloseNotifyTimeout extends ChannelOutboundHandlerAdapter implements Relay.Transparent {
        static final CloseNotifyTimeout INSTANCE = new CloseNotifyTimeout();

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            Channel channel = ctx.channel();
            if (channel.isActive()) {
                Timeout timer = CoarseTimer.schedule(channel.eventLoop(), () -> {
                    if (channel.isOpen()) {
                        channel.unsafe().close(channel.voidPromise());
                    }
                }, CLOSE_NOTIFY_FLUSH.toMillis(), TimeUnit.MILLISECONDS);
                channel.closeFuture().addListener(closed -> timer.cancel());
            }
            ctx.close(promise);
        }
    }

    /** Until the ClientHello is in, times out as Netty's SniHandler does; then the SslHandler it made holds the timer. */
    private static final class CoarseSniHandler extends SniHandler {
        private final Duration timeout;
        private Timeout timer;
        private SslHandler ssl;

        CoarseSniHandler(AsyncMapping<? super String, ? extends SslContext> bySni, int maxClientHello,
                         Duration timeout) {
            super(bySni, maxClientHello, CoarseTimer.suits(timeout) ? 0 : timeout.toMillis());
            this.timeout = timeout;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            guardClose(ctx.pipeline(), ctx.name()); // stays after the SslHandler that takes this handler's place
            if (ctx.channel().isActive()) {
                start(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx);
            start(ctx);
        }

        private void start(ChannelHandlerContext ctx) {
            if (CoarseTimer.suits(timeout) && timer == null) {
                timer = CoarseTimer.schedule(ctx.executor(), () -> expire(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private void expire(ChannelHandlerContext ctx) {
            if (ssl != null) {
                TlsTimeouts.expire(ssl, ctx.channel(), timeout);
            } else if (ctx.channel().isActive()) {
                ctx.fireUserEventTriggered(new SniCompletionEvent(timedOut(timeout)));
                ctx.close();
            }
        }

        @Override
        protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
            ssl = super.newSslHandler(context, allocator); // Netty's handshake timeout: this handler's, 0 if coarse
            ssl.setCloseNotifyFlushTimeoutMillis(0);
            Timeout started = timer;
            if (started != null) {
                ssl.handshakeFuture().addListener(done -> started.cancel());
            }
            return ssl;
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
            if (ssl == null && timer != null) {
                timer.cancel(); // closed before a ClientHello; once replaced, the SslHandler's future cancels it
            }
            super.handlerRemoved0(ctx);
        }
    }
}
