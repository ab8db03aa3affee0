package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteFailoverEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code route_failover}: the primary gets a head start of {@code fallback_delay}; then (or as soon as it fails)
 * the standby races it, and the first connection wins. A loser that connects late is closed.
 */
public final class RouteFailoverEscaper extends RouteEscaper {
    private final RouteFailoverEscaperConfig config;

    public RouteFailoverEscaper(RouteFailoverEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats) {
        super(config.name(), escapers, stats);
        this.config = config;
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Promise<Channel> result = loop.newPromise();
        Race race = new Race(result);
        Future<Channel> primary = passTo(config.primaryNext()).tcpConnect(target, loop, hints);
        Runnable standby = () -> {
            if (!result.isDone() && race.startStandby()) {
                race.track(passTo(config.standbyNext()).tcpConnect(target, loop, hints));
            }
        };
        race.track(primary);
        primary.addListener(f -> {
            if (!f.isSuccess()) {
                standby.run();
            }
        });
        var timer = loop.schedule(standby, config.fallbackDelay().toMillis(), TimeUnit.MILLISECONDS);
        result.addListener(done -> timer.cancel(false));
        return result;
    }

    /** First success wins; the failure reported is the last one, once nothing is pending. */
    private static final class Race {
        private final Promise<Channel> result;
        private int pending;
        private boolean standbyStarted;

        Race(Promise<Channel> result) {
            this.result = result;
        }

        boolean startStandby() {
            if (standbyStarted) {
                return false;
            }
            standbyStarted = true;
            return true;
        }

        void track(Future<Channel> attempt) {
            pending++;
            attempt.addListener(f -> {
                pending--;
                if (f.isSuccess()) {
                    if (!result.trySuccess(attempt.getNow())) {
                        attempt.getNow().close();
                    }
                } else if (pending == 0 && standbyStarted) {
                    result.tryFailure(f.cause());
                }
            });
        }
    }

    @Override
    String udpNext() {
        return config.primaryNext();
    }
}
