package io.g3k.dataplane.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.config.server.TaskIdleCheck;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The idle check on the coarse timer: ended after max count idle rounds in a row, kept while bytes move, cancellable. */
class IdleWatchTest {
    private static final TaskIdleCheck CHECK = new TaskIdleCheck(Duration.ofMillis(50), 3);
    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicLong activity = new AtomicLong();
    private final AtomicInteger ended = new AtomicInteger();

    @AfterEach
    void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private IdleWatch watch() throws Exception {
        return loop.submit(() -> IdleWatch.start(loop, CHECK, activity::get, () -> {
            assertThat(loop.inEventLoop()).isTrue();
            ended.incrementAndGet();
        })).get();
    }

    @Test
    void endsAfterMaxCountIdleRoundsAndOnlyOnce() throws Exception {
        long start = System.nanoTime();
        watch();
        await().atMost(5, TimeUnit.SECONDS).until(() -> ended.get() == 1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        Thread.sleep(300);
        assertThat(ended).hasValue(1);
    }

    @Test
    void movingBytesKeepItAlive() throws Exception {
        IdleWatch watch = watch();
        for (int i = 0; i < 12; i++) { // 360 ms: over twice the idle time
            Thread.sleep(30);
            activity.incrementAndGet();
        }
        assertThat(ended).hasValue(0);
        loop.submit(watch::cancel).get();
    }

    @Test
    void cancelledItNeverEnds() throws Exception {
        IdleWatch watch = watch();
        loop.submit(watch::cancel).get();
        Thread.sleep(400);
        assertThat(ended).hasValue(0);
    }
}
