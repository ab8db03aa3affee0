package io.g3k.dataplane.limit;

import io.g3k.config.GlobalSpeedLimit;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A user's {@code tcp_all_upload_speed_limit} / {@code tcp_all_download_speed_limit}, shared by all the user's client
 * connections, whichever loop serves them. Upload is what the clients send: one {@link ReadBudget}, g3proxy's bucket
 * ({@code replenish_bytes} every {@code replenish_interval}, up to {@code max_burst_bytes} saved). Download is what
 * they receive: one Netty shaper for their writes, which paces to the average rate and saves no burst.
 *
 * <p>The shaper and its timer task run while the user has connections, and {@value #LINGER_SECONDS} s after the last
 * one closed, so that connections one after another share its count: a user replaced by a reload keeps limiting the
 * connections it still serves, and a user without connections costs nothing.
 */
public final class GlobalStreamLimiter {
    static final String NAME = "user-global-speed-limit";
    private static final long CHECK_INTERVAL_MILLIS = 100;
    private static final long LINGER_SECONDS = 2;

    private final ReadBudget upload;
    private final long downloadPerSecond;
    private final long lingerMillis;
    private GlobalTrafficShapingHandler shaper;
    private int channels;

    public GlobalStreamLimiter(Optional<GlobalSpeedLimit> upload, Optional<GlobalSpeedLimit> download) {
        this(upload, download, TimeUnit.SECONDS.toMillis(LINGER_SECONDS));
    }

    GlobalStreamLimiter(Optional<GlobalSpeedLimit> upload, Optional<GlobalSpeedLimit> download, long lingerMillis) {
        this.lingerMillis = lingerMillis;
        this.upload = upload.map(l -> new ReadBudget(l.replenishBytes(), l.replenishInterval(), l.maxBurstBytes()))
                .orElse(null);
        this.downloadPerSecond = download.map(GlobalSpeedLimit::bytesPerSecond).orElse(0L);
    }

    /** Paces a client connection with the shared budget and shaper, for as long as the connection lives. */
    public void attach(Channel client) {
        if (upload != null) {
            ReadPacer.add(client, upload);
        }
        if (downloadPerSecond > 0) {
            SpeedLimits.addWriteShaper(client, NAME, sharedShaper(client));
            EventLoop loop = client.eventLoop(); // a closed channel may have left it
            client.closeFuture().addListener(f -> detach(loop));
        }
    }

    private synchronized GlobalTrafficShapingHandler sharedShaper(Channel client) {
        if (shaper == null) {
            shaper = new GlobalTrafficShapingHandler(client.eventLoop(), downloadPerSecond, 0, CHECK_INTERVAL_MILLIS);
        }
        channels++;
        return shaper;
    }

    private synchronized void detach(EventLoop loop) {
        if (--channels == 0) {
            loop.schedule(this::releaseIfUnused, lingerMillis, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void releaseIfUnused() {
        if (channels == 0 && shaper != null) {
            shaper.release();
            shaper = null;
        }
    }

    /** Whether the shaper (and its timer task) is running. */
    synchronized boolean running() {
        return shaper != null;
    }
}
