package io.g3k.dataplane.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LazyDeadline on the coarse timer: it fires once when due, on its loop, and not when re-armed, cancelled or stopped. */
class LazyDeadlineTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicInteger fired = new AtomicInteger();

    @AfterEach
    void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private LazyDeadline onLoop(java.util.function.Consumer<LazyDeadline> action) throws Exception {
        LazyDeadline deadline = loop.submit(() -> new LazyDeadline(loop)).get();
        loop.submit(() -> action.accept(deadline)).get();
        return deadline;
    }

    private Runnable count() {
        return () -> {
            assertThat(loop.inEventLoop()).isTrue();
            fired.incrementAndGet();
        };
    }

    @Test
    void firesOnceWhenDueAndNotBefore() throws Exception {
        long start = System.nanoTime();
        long[] at = new long[1];
        onLoop(d -> d.arm(Duration.ofMillis(100), () -> {
            at[0] = System.nanoTime() - start;
            fired.incrementAndGet();
        }));
        await().atMost(5, TimeUnit.SECONDS).until(() -> fired.get() == 1);
        assertThat(at[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        Thread.sleep(200);
        assertThat(fired).hasValue(1);
    }

    @Test
    void reArmingPostponesIt() throws Exception {
        LazyDeadline deadline = onLoop(d -> d.arm(Duration.ofMillis(150), count()));
        for (int i = 0; i < 5; i++) {
            Thread.sleep(60);
            loop.submit(() -> deadline.arm(Duration.ofMillis(150), count())).get();
        }
        assertThat(fired).hasValue(0); // 300 ms after the first arming, never 150 ms without one
        await().atMost(5, TimeUnit.SECONDS).until(() -> fired.get() == 1);
    }

    @Test
    void aSoonerDeadlineIsNotKeptWaitingByALaterCheck() throws Exception {
        LazyDeadline deadline = onLoop(d -> d.arm(Duration.ofSeconds(30), count()));
        loop.submit(() -> deadline.arm(Duration.ofMillis(50), count())).get();
        await().atMost(5, TimeUnit.SECONDS).until(() -> fired.get() == 1);
    }

    @Test
    void cancelledOrStoppedItDoesNotFire() throws Exception {
        LazyDeadline cancelled = onLoop(d -> d.arm(Duration.ofMillis(50), count()));
        loop.submit(cancelled::cancel).get();
        LazyDeadline stopped = onLoop(d -> d.arm(Duration.ofMillis(50), count()));
        loop.submit(stopped::stop).get();
        Thread.sleep(300);
        assertThat(fired).hasValue(0);
    }

    @Test
    void aCheckStoppedAfterTheWheelHandedItOverDoesNothing() throws Exception {
        LazyDeadline deadline = onLoop(d -> d.arm(Duration.ofMillis(30), count()));
        // hold the loop past the deadline so the wheel's hand-over waits in its queue, then stop and re-arm first
        loop.submit(() -> {
            sleep(200);
            deadline.stop();
            deadline.arm(Duration.ofSeconds(30), count());
        }).get();
        Thread.sleep(200);
        assertThat(fired).hasValue(0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
