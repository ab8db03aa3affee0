package io.g3k.dataplane.escape.directfixed;

import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeException.Reason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * RFC 8305 connection racing: start with the first address, start the next one whenever the attempt delay passes
 * or an attempt fails, keep the first connection that succeeds and close the rest. Runs on one event loop.
 */
final class HappyEyeballsConnect {
    private final List<InetAddress> addresses;
    private final int port;
    private final BiFunction<EventLoop, InetSocketAddress, ChannelFuture> connect;
    private final EventLoop loop;
    private final Duration attemptDelay;
    private final Promise<Channel> result;
    private int next;
    private int pending;
    private Throwable lastError;
    private ScheduledFuture<?> timer;

    HappyEyeballsConnect(List<InetAddress> addresses, int port, BiFunction<EventLoop, InetSocketAddress, ChannelFuture> connect,
                         EventLoop loop, Duration attemptDelay, Promise<Channel> result) {
        this.addresses = addresses;
        this.port = port;
        this.connect = connect;
        this.loop = loop;
        this.attemptDelay = attemptDelay;
        this.result = result;
    }

    void start() {
        attempt();
    }

    private void attempt() {
        if (result.isDone() || next >= addresses.size()) {
            return;
        }
        InetAddress address = addresses.get(next++);
        pending++;
        connect.apply(loop, new InetSocketAddress(address, port)).addListener((ChannelFuture f) -> finished(f, address));
        if (next < addresses.size()) {
            timer = loop.schedule(this::attempt, attemptDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void finished(ChannelFuture f, InetAddress address) {
        pending--;
        if (f.isSuccess()) {
            if (!result.trySuccess(f.channel())) {
                f.channel().close();
            }
            cancelTimer();
            return;
        }
        lastError = f.cause();
        if (result.isDone()) {
            return;
        }
        cancelTimer();
        if (next < addresses.size()) {
            attempt();
        } else if (pending == 0) {
            result.tryFailure(describe(lastError, address));
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private EscapeException describe(Throwable cause, InetAddress address) {
        String target = new InetSocketAddress(address, port).toString();
        if (cause instanceof ConnectTimeoutException) {
            return new EscapeException(Reason.CONNECT_TIMEOUT, "connect to " + target + " timed out");
        }
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof ConnectException && message.toLowerCase().contains("refused")) {
            return new EscapeException(Reason.CONNECT_REFUSED, "connect to " + target + " refused");
        }
        return new EscapeException(Reason.UNREACHABLE, "connect to " + target + " failed: " + message);
    }
}
