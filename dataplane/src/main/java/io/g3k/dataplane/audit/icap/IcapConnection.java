package io.g3k.dataplane.audit.icap;

import io.g3k.dataplane.util.Errors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;

/**
 * A connection to an ICAP service, one message at a time: writes the request once connected, feeds what comes back to
 * the message's reader, sends the rest of the body on {@code 100 Continue}. A response read to its end, on a
 * connection the service keeps open (no {@code Connection: close}, nothing after the response), leaves the connection
 * to the {@link IcapConnectionPool} for the next message; any other end closes it.
 */
final class IcapConnection extends ChannelInboundHandlerAdapter {
    /** A message: its request (released by its owner once done, so that it can be sent again), reader and result. */
    record Message(IcapRequestBytes request, IcapResponseReader reader, Promise<IcapResponseReader.Done> result) {}

    private final IcapConnectionPool pool;
    private final ByteBuf received = Unpooled.buffer();
    private ChannelHandlerContext ctx;
    private Message current;
    private Runnable lostUnanswered;
    private boolean answered;
    private boolean restSent;
    private ChannelFuture lastWrite;

    IcapConnection(IcapConnectionPool pool) {
        this.pool = pool;
    }

    /**
     * Exchanges {@code message} on this connection, now or once connected. {@code lostUnanswered}, when not null, runs
     * instead of failing the message if the connection is lost before any answer: a kept connection the service had
     * closed meanwhile, whose message may go again on a new one.
     */
    void start(Message message, Runnable lostUnanswered) {
        this.current = message;
        this.lostUnanswered = lostUnanswered;
        this.answered = false;
        this.restSent = false;
        message.result().addListener(done -> {
            if (!done.isSuccess() && current == message) {
                ctx.close(); // failed from outside (its deadline): this connection is in no state to be used again
            }
        });
        if (ctx.channel().isActive()) {
            lastWrite = ctx.writeAndFlush(message.request().first().retainedDuplicate());
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (current != null) {
            lastWrite = ctx.writeAndFlush(current.request().first().retainedDuplicate());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            received.writeBytes(in);
        } finally {
            in.release();
        }
        if (current == null) {
            ctx.close(); // bytes nobody asked for: the connection is in no state to be used again
            return;
        }
        answered = true;
        try {
            while (true) {
                IcapResponseReader.Result r = current.reader().read(received);
                if (r instanceof IcapResponseReader.Continue) {
                    ByteBuf rest = current.request().rest();
                    if (rest != null && !restSent) {
                        restSent = true;
                        lastWrite = ctx.writeAndFlush(rest.retainedDuplicate());
                    }
                    continue;
                }
                if (r instanceof IcapResponseReader.Done done) {
                    answer(done);
                }
                break;
            }
            received.discardReadBytes();
        } catch (RuntimeException e) {
            lose(e instanceof IcapException icap ? icap : new IcapException("bad ICAP response: " + e));
            ctx.close();
        }
    }

    private void answer(IcapResponseReader.Done done) {
        Message message = current;
        current = null;
        // kept before the result is given: what its listeners send next may go on this connection. Only once all that
        // was sent has gone out: a service answering early, before the whole body, would read the rest as a request
        if (!"close".equalsIgnoreCase(done.headers().get("connection")) && !received.isReadable()
                && lastWrite != null && lastWrite.isSuccess() && !message.result().isDone()) {
            pool.offer(ctx.channel());
        } else {
            ctx.close();
        }
        if (!message.result().trySuccess(done) && done.body() != null) {
            done.body().release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lose(new IcapException("the ICAP service closed the connection before answering"));
        pool.closed(ctx.channel());
        received.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        lose(new IcapException("ICAP connection failed: " + Errors.rootMessage(cause)));
        ctx.close();
    }

    /** The connection cannot finish its message: it goes again on a new one if it may, or fails. */
    private void lose(IcapException why) {
        Message message = current;
        current = null;
        if (message == null || message.result().isDone()) {
            return;
        }
        if (!answered && lostUnanswered != null) {
            lostUnanswered.run();
        } else {
            message.result().tryFailure(why);
        }
    }
}
