package io.g3k.dataplane.server.intelliproxy;

import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Looks at the first byte: 4 or 5 is SOCKS, anything else goes to the HTTP server. The byte stays in the stream
 * (the decoder hands its buffer to the chosen server's handlers). Silent close if nothing comes in time.
 */
final class ProtocolDetectHandler extends ByteToMessageDecoder {
    private final Supplier<Server> http;
    private final Supplier<Server> socks;
    private final Duration timeout;
    private Timeout deadline;

    ProtocolDetectHandler(Supplier<Server> http, Supplier<Server> socks, Duration timeout) {
        this.http = http;
        this.socks = socks;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = CoarseTimer.schedule(ctx.executor(), () -> {
            if (!ctx.isRemoved()) { // still detecting
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        deadline.cancel();
        byte first = in.getByte(in.readerIndex());
        Server next = first == 4 || first == 5 ? socks.get() : http.get();
        if (next == null) {
            ctx.close();
            return;
        }
        next.accept(ctx.channel());
        ctx.pipeline().remove(this);
    }
}
