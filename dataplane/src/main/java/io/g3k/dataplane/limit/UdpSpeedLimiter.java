package io.g3k.dataplane.limit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A UDP speed limit on one socket, g3proxy style: an {@link UdpAllowance} for each direction (per-socket slices, or a
 * user's shared buckets). A datagram read beyond the allowance is dropped and reading pauses until there is more (the
 * kernel buffer then absorbs or drops, as it does for g3proxy); a datagram written beyond it waits, up to
 * {@value #MAX_DELAYED} waiting, after which writes are dropped. Event-loop confined but for the allowances.
 */
final class UdpSpeedLimiter extends ChannelDuplexHandler {
    static final int MAX_DELAYED = 256;

    private record Delayed(DatagramPacket packet, ChannelPromise promise) {}

    private final UdpAllowance in;
    private final UdpAllowance out;
    private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();
    private boolean readPaused;
    private boolean drainScheduled;

    UdpSpeedLimiter(UdpAllowance in, UdpAllowance out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!in.tryTake(packet.content().readableBytes())) {
            packet.release();
            pauseReading(ctx);
            return;
        }
        ctx.fireChannelRead(packet);
    }

    private void pauseReading(ChannelHandlerContext ctx) {
        if (readPaused) {
            return;
        }
        readPaused = true;
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            readPaused = false;
            ctx.channel().config().setAutoRead(true);
        }, in.nanosUntilMore(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.write(msg, promise);
            return;
        }
        if (delayed.isEmpty() && trySend(ctx, packet, promise)) {
            return;
        }
        if (delayed.size() >= MAX_DELAYED) {
            ReferenceCountUtil.release(packet);
            promise.trySuccess(); // UDP: a drop is not an error of the sender's
            return;
        }
        delayed.add(new Delayed(packet, promise));
        scheduleDrain(ctx);
    }

    private boolean trySend(ChannelHandlerContext ctx, DatagramPacket packet, ChannelPromise promise) {
        if (!out.tryTake(packet.content().readableBytes())) {
            return false;
        }
        ctx.write(packet, promise);
        return true;
    }

    private void scheduleDrain(ChannelHandlerContext ctx) {
        if (drainScheduled) {
            return;
        }
        drainScheduled = true;
        ctx.executor().schedule(() -> {
            drainScheduled = false;
            while (!delayed.isEmpty() && trySend(ctx, delayed.peek().packet(), delayed.peek().promise())) {
                delayed.poll();
            }
            ctx.flush();
            if (!delayed.isEmpty()) {
                scheduleDrain(ctx);
            }
        }, out.nanosUntilMore(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        Delayed d;
        while ((d = delayed.poll()) != null) {
            ReferenceCountUtil.release(d.packet());
            d.promise().trySuccess();
        }
    }
}
