package io.g3k.dataplane.relay;

import io.g3k.config.server.CopyBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.g3k.dataplane.limit.ReadPacer;
import io.g3k.dataplane.task.IdleWatch;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.traffic.AbstractTrafficShapingHandler;
import io.netty.util.AttributeKey;
import io.netty.util.Timeout;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A bidirectional byte relay between two channels on the same event loop. Back-pressure: a side stops reading
 * while its peer is not writable. Half-close: EOF on one side shuts down output on the other; the session ends
 * when both sides reached EOF, or at once on an error or a reset, or (reason {@code Idle}) after its server's idle
 * check without a byte either way ({@link IdleWatch}). Where both channels are epoll sockets that carry nothing but
 * the relayed bytes, the pair moves to an {@link EpollRelay}, which does the same without Netty's pipeline.
 */
public final class Relay {
    /** A byte-level handler that stays on the client whatever protocol runs above it (TLS taps). */
    public interface Transparent {}

    /**
     * How a relay reads: relayed reads grow up to 1 MiB, so a bulk transfer takes one read and one write per MiB,
     * where Netty's default (64 KiB reads, 16 a wake-up, one writev) took seventeen syscalls (about 10% less CPU per
     * GiB in a duel). At most about 1 MiB is in flight per direction either way, and an idle tunnel holds no buffer.
     * Not where a speed limit applies: the shaper paces by the bytes it has seen, so a read is a burst it lets
     * through.
     *
     * @param allocator the pipeline relay's reads (shared: the allocator only makes each channel's size guesser)
     * @param largest   the largest read
     * @param inRow     the reads one side makes in a row before the other connections on its loop get a turn
     */
    public record Reads(RecvByteBufAllocator allocator, int largest, int inRow) {
        static final Reads DEFAULT = new Reads(new AdaptiveRecvByteBufAllocator(64, 2048, 1 << 20), 1 << 20, 16);
    }

    /** The reads of a server whose {@code tcp_copy_buffer_size} or {@code tcp_copy_yield_size} is set. */
    public static final AttributeKey<Reads> READS = AttributeKey.valueOf("g3k.relayReads");

    /**
     * A server's relay reads: {@code tcp_copy_buffer_size} the largest read, {@code tcp_copy_yield_size} the bytes a
     * side reads in a row before its loop serves others (in reads of the largest size); null where neither is set.
     */
    public static Reads reads(CopyBuffers buffers) {
        if (buffers.tcpBufferSize().isEmpty() && buffers.tcpYieldSize().isEmpty()) {
            return null;
        }
        int max = buffers.tcpBufferSize().orElse(Reads.DEFAULT.largest());
        int inRow = buffers.tcpYieldSize().map(yield -> Math.max(1, yield / max)).orElse(Reads.DEFAULT.inRow());
        var allocator = new AdaptiveRecvByteBufAllocator(64, Math.min(2048, max), max);
        allocator.maxMessagesPerRead(inRow);
        return new Reads(allocator, max, inRow);
    }

    private final Channel client;
    private final Channel upstream;
    private final Promise<String> done;
    final LongConsumer clientToUpstream;
    final LongConsumer upstreamToClient;
    int eofs;
    long reads; // both directions: both channels run on one loop
    /** Set while the pair moves to an {@link EpollRelay}: bytes read meanwhile wait here, one buffer a side. */
    private ByteBuf[] handingOver;
    private EpollRelay epoll;
    private static final Duration DRAIN_WITHOUT_IDLE_CHECK = Duration.ofMinutes(1);
    /** The task's idle check, if it has one: its span bounds the drain at the end (see {@link #end}). */
    private IdleWatch idleCheck;

    private Relay(Channel client, Channel upstream, LongConsumer clientToUpstream, LongConsumer upstreamToClient) {
        this.client = client;
        this.upstream = upstream;
        this.done = client.eventLoop().newPromise();
        this.clientToUpstream = clientToUpstream;
        this.upstreamToClient = upstreamToClient;
    }

    /**
     * Writes the reply that opens a tunnel (HTTP 200 to CONNECT, a SOCKS success) through the client's protocol
     * handlers; once it is out, relays until both sides are done and then ends the task.
     */
    public static void afterReply(ChannelHandlerContext client, Object reply, Channel upstream, Task task) {
        afterReply(client, reply, upstream, task, () -> relay(client.channel(), upstream, task));
    }

    /** Writes the reply that opens a tunnel, then runs {@code then}; if the reply cannot be written, ends the task. */
    public static void afterReply(ChannelHandlerContext client, Object reply, Channel upstream, Task task,
                                  Runnable then) {
        client.writeAndFlush(reply).addListener(written -> {
            if (!written.isSuccess()) {
                upstream.close();
                client.close();
                task.finish("ClientClosed");
                return;
            }
            then.run();
        });
    }

    /** Relays for a task: counts its bytes and ends it with the reason the relay ended. */
    public static void relay(Channel client, Channel upstream, Task task) {
        start(client, upstream, task::out, task::in, task, false)
                .addListener(done -> task.finish(String.valueOf(done.getNow())));
    }

    /**
     * Relays a connection pair that switched protocols after an HTTP exchange (a 101 to an upgrade): HTTP's handlers
     * leave the upstream's pipeline too, the bytes its decoder holds flowing into the relay.
     */
    public static void relaySwitched(Channel client, Channel upstream, Task task) {
        start(client, upstream, task::out, task::in, task, true)
                .addListener(done -> task.finish(String.valueOf(done.getNow())));
    }

    /**
     * Starts relaying. The client's protocol handlers (all but TLS and speed limits) are removed last-first, so
     * bytes a decoder still buffers (sent right behind the request) flow into the relay instead of being lost.
     * Counters get client→upstream and upstream→client bytes. The returned promise completes with the end reason.
     */
    public static Promise<String> start(Channel client, Channel upstream, LongConsumer clientToUpstream,
                                        LongConsumer upstreamToClient) {
        return start(client, upstream, clientToUpstream, upstreamToClient, null, false);
    }

    private static Promise<String> start(Channel client, Channel upstream, LongConsumer clientToUpstream,
                                         LongConsumer upstreamToClient, Task task, boolean upstreamProtocol) {
        Relay relay = new Relay(client, upstream, clientToUpstream, upstreamToClient);
        boolean unlimited = !shaped(client) && !shaped(upstream);
        Reads reads = client.hasAttr(READS) ? client.attr(READS).get() : Reads.DEFAULT;
        for (Channel ch : new Channel[] {client, upstream}) {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            if (unlimited) {
                ch.config().setRecvByteBufAllocator(reads.allocator());
            }
        }
        client.pipeline().addLast("relay", relay.new Side(upstream, clientToUpstream, "client"));
        upstream.pipeline().addLast("relay", relay.new Side(client, upstreamToClient, "upstream"));
        removeProtocolHandlers(client, "relay");
        if (upstreamProtocol) {
            removeProtocolHandlers(upstream, "relay");
        }
        if (unlimited && onlyRelay(client) && onlyRelay(upstream) && EpollRelay.fits(client, upstream)) {
            relay.handOver(reads);
        } else {
            client.config().setAutoRead(true);
            upstream.config().setAutoRead(true);
            client.read();
            upstream.read();
        }
        relay.idleCheck = IdleWatch.start(client, task, () -> relay.reads, () -> relay.end("Idle", false));
        if (relay.idleCheck != null) {
            relay.done.addListener(f -> relay.idleCheck.cancel()); // on the loop: the promise is the client's loop's
        }
        return relay.done;
    }

    /**
     * Removes the client's protocol handlers in front of {@code before} (all but TLS, speed limits and
     * {@link Transparent} ones), last-first,
     * so bytes a decoder still buffers flow on to {@code before} instead of being lost.
     */
    public static void removeProtocolHandlers(Channel client, String before) {
        List<String> names = client.pipeline().names();
        for (int i = names.indexOf(before) - 1; i >= 0; i--) {
            var handler = client.pipeline().get(names.get(i));
            if (handler != null && !(handler instanceof SslHandler) && !(handler instanceof AbstractTrafficShapingHandler)
                    && !(handler instanceof Transparent)) {
                client.pipeline().remove(handler);
            }
        }
    }

    /** Whether the relay is all there is in a channel's pipeline: no TLS, no tap, nothing else that sees the bytes. */
    private static boolean onlyRelay(Channel ch) {
        return ch.pipeline().first() instanceof Side && ch.pipeline().last() instanceof Side;
    }

    /**
     * Moves the pair to an {@link EpollRelay}. Netty stops reading both (bytes from reads it already has under way
     * wait in {@link #handingOver} and go first); then, in a task of the loop's own, so that no handler is still
     * working on either channel, what Netty queues for either socket is written, both channels leave the loop's
     * registrations and the epoll relay registers the sockets anew.
     */
    private void handOver(Reads reads) {
        handingOver = new ByteBuf[2];
        client.config().setAutoRead(false);
        upstream.config().setAutoRead(false);
        client.eventLoop().execute(() -> drainThenMove(reads));
    }

    private void drainThenMove(Reads reads) {
        if (done.isDone()) {
            return;
        }
        for (Channel ch : new Channel[] {client, upstream}) {
            var queued = ch.unsafe().outboundBuffer();
            if (queued != null && !queued.isEmpty()) {
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                    if (written.isSuccess()) {
                        drainThenMove(reads);
                    } else {
                        end((ch == client ? "ClientError: " : "UpstreamError: ") + written.cause().getMessage(), false);
                    }
                });
                return;
            }
        }
        client.deregister().addListener(a -> upstream.deregister().addListener(b -> {
            ByteBuf fromClient = handingOver[0];
            ByteBuf fromUpstream = handingOver[1];
            handingOver = null;
            if (done.isDone() || !a.isSuccess() || !b.isSuccess() || client.isRegistered() || upstream.isRegistered()) {
                release(fromClient);
                release(fromUpstream);
                client.close();
                upstream.close();
                end("ClientClosed");
                return;
            }
            epoll = new EpollRelay(this, reads, client, upstream); // before any I/O: an error there ends it
            epoll.start(fromClient, fromUpstream);
        }));
    }

    private static void release(ByteBuf buf) {
        if (buf != null) {
            buf.release();
        }
    }

    private static boolean shaped(Channel ch) {
        return ch.pipeline().get(AbstractTrafficShapingHandler.class) != null || ch.pipeline().get(ReadPacer.class) != null;
    }

    void end(String reason) {
        end(reason, true);
    }

    /**
     * Ends the relay: after an error or an idle span, at once (as g3proxy drops both streams); after an end of
     * stream, once what is queued is written, within the task's idle span (a minute without an idle check): a peer
     * that reads nothing more must not keep its socket.
     */
    private void end(String reason, boolean drained) {
        if (done.isDone()) {
            return;
        }
        done.trySuccess(reason);
        if (epoll != null) {
            epoll.close();
            return;
        }
        for (Channel ch : new Channel[] {client, upstream}) {
            if (!drained) {
                ch.close();
                continue;
            }
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            if (ch.isOpen()) {
                Duration drain = idleCheck != null ? idleCheck.span() : DRAIN_WITHOUT_IDLE_CHECK;
                Timeout deadline = CoarseTimer.schedule(ch.eventLoop(), ch::close, drain.toMillis(), TimeUnit.MILLISECONDS);
                ch.closeFuture().addListener(closed -> deadline.cancel());
            }
        }
    }

    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final LongConsumer counter;
        private final String name;
        private boolean eof;

        Side(Channel peer, LongConsumer counter, String name) {
            this.peer = peer;
            this.counter = counter;
            this.name = name;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reads++;
            if (msg instanceof ByteBuf buf) {
                counter.accept(buf.readableBytes());
                if (handingOver != null) {
                    int i = name.equals("client") ? 0 : 1;
                    handingOver[i] = handingOver[i] == null ? buf : Unpooled.wrappedBuffer(handingOver[i], buf);
                    return;
                }
            }
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (handingOver != null) {
                return;
            }
            peer.flush();
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (handingOver != null) {
                return;
            }
            // a peer that already sent its FIN reads no more: touching its epoll interest would fail (ENOENT)
            boolean peerDone = peer instanceof DuplexChannel duplex && duplex.isInputShutdown();
            if (ctx.channel().isWritable() && !peerDone) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && handingOver != null) {
                return; // Netty shut the socket's input: the epoll relay reads the end again
            }
            if (evt instanceof ChannelInputShutdownEvent && !eof) {
                eof = true;
                eofs++;
                if (eofs == 2) {
                    end(name.equals("client") ? "ClientClosed" : "UpstreamClosed");
                } else if (peer instanceof DuplexChannel duplex) {
                    // the FIN goes after every byte already queued, not before: shutting down output fails
                    // pending writes, so wait for the queue to drain
                    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
                } else {
                    end(name + "Closed");
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(name.equals("client") ? "ClientClosed" : "UpstreamClosed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end((name.equals("client") ? "ClientError: " : "UpstreamError: ") + cause.getMessage(), false);
        }
    }
}
