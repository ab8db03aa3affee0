package io.g3k.dataplane.limit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A per-socket UDP speed limit, g3proxy style: byte and packet budgets per time slice for each direction. A
 * datagram read beyond the slice's budget is dropped and reading pauses until the next slice (the kernel buffer
 * then absorbs or drops, as it does for g3proxy); a datagram written beyond it waits for the next slice, up to
 * {@value #MAX_DELAYED} waiting, after which writes are dropped. Event-loop confined: no locks.
 */
final class UdpSpeedLimiter extends ChannelDuplexHandler {
    static final int MAX_DELAYED = 256;

    /** A slice's budget; 0 means no limit on that count. */
    record Budget(long bytes, long packets) {
        /** Whether one more datagram fits; one larger than the whole byte budget still goes first in a slice. */
        boolean fits(long usedBytes, long usedPackets, int size) {
            return (bytes == 0 || usedBytes == 0 || usedBytes + size <= bytes)
                    && (packets == 0 || usedPackets + 1 <= packets);
        }
    }

    private record Delayed(DatagramPacket packet, ChannelPromise promise) {}

    private final long sliceNanos;
    private final Budget in;
    private final Budget out;
    private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();
    private long sliceStart = System.nanoTime();
    private long inBytes;
    private long inPackets;
    private long outBytes;
    private long outPackets;
    private boolean readPaused;
    private boolean drainScheduled;

    UdpSpeedLimiter(Duration slice, Budget in, Budget out) {
        this.sliceNanos = slice.toNanos();
        this.in = in;
        this.out = out;
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - sliceStart >= sliceNanos) {
            sliceStart = now - (now - sliceStart) % sliceNanos;
            inBytes = inPackets = outBytes = outPackets = 0;
        }
    }

    private long nanosToNextSlice() {
        return Math.max(0, sliceStart + sliceNanos - System.nanoTime());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        roll();
        int size = packet.content().readableBytes();
        if (!in.fits(inBytes, inPackets, size)) {
            packet.release();
            pauseReading(ctx);
            return;
        }
        inBytes += size;
        inPackets++;
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
        }, nanosToNextSlice(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.write(msg, promise);
            return;
        }
        roll();
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
        int size = packet.content().readableBytes();
        if (!out.fits(outBytes, outPackets, size)) {
            return false;
        }
        outBytes += size;
        outPackets++;
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
            roll();
            while (!delayed.isEmpty() && trySend(ctx, delayed.peek().packet(), delayed.peek().promise())) {
                delayed.poll();
            }
            ctx.flush();
            if (!delayed.isEmpty()) {
                scheduleDrain(ctx);
            }
        }, nanosToNextSlice(), TimeUnit.NANOSECONDS);
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
