package io.g3k.dataplane.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connects on the real transport: a peer that never answers the SYN (its accept queue full, so Linux drops it) fails
 * the connect with a ConnectTimeoutException after each_timeout, on the coarse timer from a second up and on Netty's
 * own below, and closes the socket; a connect that succeeds is left alone once the timeout has passed.
 */
class ConnectTimeoutTest {
    private final Transport transport = Transport.create(1);
    private final EventLoop loop = transport.workers().next();
    private final List<Socket> fillers = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        transport.close();
    }

    private Bootstrap bootstrap() {
        return transport.tcpBootstrap(loop, false).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {}
        });
    }

    /** A listener that never accepts, with its accept queue filled: the next SYN to it goes unanswered. */
    private ServerSocket unanswering() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(server.getLocalSocketAddress(), 300);
            } catch (SocketTimeoutException full) {
                return server;
            }
        }
        throw new IllegalStateException("the accept queue never filled");
    }

    private void timesOutAfter(Duration timeout) throws Exception {
        try (ServerSocket server = unanswering()) {
            long start = System.nanoTime();
            ChannelFuture connect = ConnectTimeout.connect(bootstrap(), server.getLocalSocketAddress(), timeout);
            assertThat(connect.await(timeout.toMillis() + 2_000)).isTrue();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(connect.cause()).isInstanceOf(ConnectTimeoutException.class)
                    .hasMessageContaining("timed out");
            assertThat(tookMillis).isGreaterThanOrEqualTo(timeout.toMillis() - 5).isLessThan(timeout.toMillis() + 1_000);
            assertThat(connect.channel().closeFuture().await(1_000)).as("the socket still connecting is closed").isTrue();
        }
    }

    @Test
    void aSecondOrMoreIsTimedOnTheCoarseTimer() throws Exception {
        timesOutAfter(Duration.ofSeconds(1));
    }

    @Test
    void underASecondKeepsNettysExactTimer() throws Exception {
        timesOutAfter(Duration.ofMillis(300));
    }

    @Test
    void aConnectThatSucceedsOutlivesItsTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ChannelFuture connect = ConnectTimeout.connect(bootstrap(),
                    new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), Duration.ofSeconds(1));
            try (Socket accepted = server.accept()) {
                assertThat(connect.await(2_000)).isTrue();
                assertThat(connect.isSuccess()).isTrue();
                Thread.sleep(1_300); // past the timeout and a tick of the wheel
                assertThat(connect.channel().isActive()).isTrue();
            } finally {
                connect.channel().close().syncUninterruptibly();
            }
        }
    }
}
