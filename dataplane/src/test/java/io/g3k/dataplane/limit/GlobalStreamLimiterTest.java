package io.g3k.dataplane.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.config.GlobalSpeedLimit;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared shaper's life: one for all the user's connections, its timer stopped some time after the last. */
class GlobalStreamLimiterTest {
    private static final Optional<GlobalSpeedLimit> HALF_MB_IN_HALF_A_SECOND =
            Optional.of(new GlobalSpeedLimit(Duration.ofMillis(500), 500_000, 500_000, 0, 0));

    @Test
    void connectionsShareOneShaperAtTheAverageRate() {
        var limiter = new GlobalStreamLimiter(Optional.empty(), HALF_MB_IN_HALF_A_SECOND);
        var a = new EmbeddedChannel();
        var b = new EmbeddedChannel();
        limiter.attach(a);
        limiter.attach(b);
        var shaper = (GlobalTrafficShapingHandler) a.pipeline().get(GlobalStreamLimiter.NAME);
        assertThat(b.pipeline().get(GlobalStreamLimiter.NAME)).isSameAs(shaper);
        assertThat(a.pipeline().first()).isSameAs(shaper);
        assertThat(a.pipeline().get(ReadPacer.class)).as("no upload limit: reads are not paced").isNull();
        assertThat(shaper.getWriteLimit()).isEqualTo(1_000_000); // download: what the client receives
        assertThat(shaper.getReadLimit()).isZero();
        a.close();
        b.close();
    }

    @Test
    void theShaperLingersAfterTheLastConnectionForTheNext() {
        var limiter = new GlobalStreamLimiter(Optional.empty(), HALF_MB_IN_HALF_A_SECOND, 60_000);
        assertThat(limiter.running()).isFalse(); // nothing runs for a user until a connection comes
        var a = new EmbeddedChannel();
        limiter.attach(a);
        var shaper = a.pipeline().get(GlobalStreamLimiter.NAME);
        a.close();
        assertThat(limiter.running()).isTrue();
        var next = new EmbeddedChannel(); // within the linger: the same shaper, the same count
        limiter.attach(next);
        assertThat(next.pipeline().get(GlobalStreamLimiter.NAME)).isSameAs(shaper);
        next.close();
    }

    @Test
    void theShaperStopsOnceTheLingerAfterTheLastConnectionPassed() {
        var limiter = new GlobalStreamLimiter(Optional.empty(), HALF_MB_IN_HALF_A_SECOND, 0);
        var a = new EmbeddedChannel();
        var b = new EmbeddedChannel();
        limiter.attach(a);
        limiter.attach(b);
        a.close();
        a.runScheduledPendingTasks();
        assertThat(limiter.running()).as("b still counts").isTrue();
        b.close();
        b.runScheduledPendingTasks();
        assertThat(limiter.running()).isFalse();
    }
}
