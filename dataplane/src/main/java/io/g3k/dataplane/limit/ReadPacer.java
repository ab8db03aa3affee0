package io.g3k.dataplane.limit;

import io.g3k.dataplane.relay.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First in a channel's pipeline: paces what it reads to its {@link ReadBudget}s (the server's, the user's, the user's
 * shared one). A read that leaves a budget in debt stops reading (auto-read off, and reads asked for are kept back)
 * until the debt is paid. What arrives meanwhile is held and handed on, in order with the end of input, as the
 * budgets allow.
 *
 * <p>Why not Netty's shapers, which pace reads by auto-read alone: bytes the transport has already taken from the
 * socket still arrive, and on io_uring an HTTP client's connection reads through its loop's shared receive buffers,
 * where one receive can take all a client sent (a 1 MiB upload went through a 400 KB/s limit in 22-130 ms); and a
 * reader that turned auto-read off itself (waiting for its upstream) made them count the bytes without stopping them.
 * Held bytes are copied out of the read's buffer, which may be one of those shared ones. Nothing is held while the
 * budgets last: reads then pass straight through. Writes are left to Netty's shapers, which hold them back.
 */
public final class ReadPacer extends ChannelDuplexHandler implements Relay.Transparent {
    static final String NAME = "read-pacer";

    /** The end of input (or another event), queued behind held bytes so it does not overtake them. */
    private record Event(Object event) {}

    private final List<ReadBudget> budgets = new ArrayList<>(2);
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean paused;
    private boolean autoReadWasOn;
    private boolean readAsked;

    /** Paces the channel's reads to {@code budget} too (a pacer is added first when it has none). */
    public static void add(Channel ch, ReadBudget budget) {
        ReadPacer pacer = ch.pipeline().get(ReadPacer.class);
        if (pacer == null) {
            pacer = new ReadPacer();
            ch.pipeline().addFirst(NAME, pacer);
        }
        pacer.budgets.add(budget);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (paused || !held.isEmpty()) {
            hold(ctx, msg);
            return;
        }
        pass(ctx, msg);
    }

    private void hold(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            held.add(ctx.alloc().buffer(buf.readableBytes()).writeBytes(buf));
            buf.release();
        } else {
            held.add(msg);
        }
    }

    /** Hands a read on and takes it from the budgets; pauses reading while any of them is in debt. */
    private void pass(ChannelHandlerContext ctx, Object msg) {
        long size = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        long wait = 0;
        if (size > 0) {
            for (ReadBudget budget : budgets) {
                wait = Math.max(wait, budget.take(size));
            }
        }
        ctx.fireChannelRead(msg);
        if (wait > 0 && !paused) {
            paused = true;
            if (ctx.channel().config().isAutoRead()) { // else off already: the reader's, or ours since a pause before
                autoReadWasOn = true;
                ctx.channel().config().setAutoRead(false);
            }
            ctx.executor().schedule(() -> resume(ctx), wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (held.isEmpty()) {
            ctx.fireUserEventTriggered(evt);
        } else {
            held.add(new Event(evt));
        }
    }

    /** Kept back while paused: the reader asked, and gets its read when the pause ends. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (paused || !held.isEmpty()) {
            readAsked = true;
        } else {
            ctx.read();
        }
    }

    private void resume(ChannelHandlerContext ctx) {
        paused = false;
        handOn(ctx, false);
        if (paused || !held.isEmpty()) {
            return;
        }
        if (autoReadWasOn && !ctx.channel().config().isAutoRead()) {
            autoReadWasOn = false;
            readAsked = false;
            ctx.channel().config().setAutoRead(true); // reads again (through read() above)
        } else if (readAsked) {
            readAsked = false;
            ctx.read();
        }
    }

    /** The peer is gone: what it sent before still goes on, without pacing, before the channel's end. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handOn(ctx, true);
        ctx.fireChannelInactive();
    }

    /** Hands held reads on, in order with held events: as the budgets allow, or ({@code unpaced}) all of them. */
    private void handOn(ChannelHandlerContext ctx, boolean unpaced) {
        boolean any = false;
        while (!held.isEmpty()) {
            if (held.peek() instanceof Event e) { // takes no budget
                held.poll();
                ctx.fireUserEventTriggered(e.event());
            } else if (unpaced) {
                ctx.fireChannelRead(held.poll());
                any = true;
            } else if (!paused && ctx.channel().isActive()) {
                pass(ctx, held.poll());
                any = true;
            } else {
                break;
            }
        }
        if (any) {
            ctx.fireChannelReadComplete(); // the batch's end: where the reader flushes what it wrote on
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
