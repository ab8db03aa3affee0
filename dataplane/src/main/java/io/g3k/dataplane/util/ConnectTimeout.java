package io.g3k.dataplane.util;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.Timeout;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connect bounded by {@code tcp_connect.each_timeout}, timed on the {@link CoarseTimer}. Netty's own
 * {@code CONNECT_TIMEOUT_MILLIS} puts a task on the loop's schedule for every connect, and a loop with a task
 * scheduled reads the clock each round until it is gone. Worse, the JIT compiles a loop that has never had one
 * for "nothing is ever scheduled": a keep-alive server's first upstream connect in a while threw that compiled
 * loop away (an uncommon trap in {@code hasScheduledTasks}), and C2 took seconds of the loop's core to compile it
 * again. TLS handshakes are timed off the loop too ({@link io.g3k.dataplane.tls.TlsTimeouts}): timing only one of
 * them there left the other's first use to throw the loop's code away. Timeouts under a second keep Netty's exact
 * timer ({@link CoarseTimer#suits}).
 */
public final class ConnectTimeout {
    private ConnectTimeout() {}

    /** {@code bootstrap.connect(remote)}, failed with a {@link ConnectTimeoutException} after {@code timeout}. */
    public static ChannelFuture connect(Bootstrap bootstrap, SocketAddress remote, Duration timeout) {
        if (!CoarseTimer.suits(timeout)) {
            return bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis()).connect(remote);
        }
        ChannelFuture connect = bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0).connect(remote);
        if (connect.isDone()) {
            return connect;
        }
        Timeout timer = CoarseTimer.schedule(connect.channel().eventLoop(), () -> {
            // what Netty's own timer does: fail the connect, then close the socket still connecting
            if (((ChannelPromise) connect).tryFailure(new ConnectTimeoutException(
                    "connection timed out after " + timeout.toMillis() + " ms: " + remote))) {
                connect.channel().close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        connect.addListener(done -> timer.cancel());
        return connect;
    }
}
