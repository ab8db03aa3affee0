package io.g3k.dataplane.stat;

import io.g3k.config.StatConfig;
import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Emits the catalogue as DogStatsD lines ({@code prefix.name:value|c|#daemon_group:g,stat_id:pid,server:s,online:y})
 * every {@code emit_interval}: counters as deltas since the last emit, gauges as values; lines batched into
 * datagrams of at most 1400 bytes (UDP) or 4096 (Unix), as g3proxy does.
 */
public final class StatsdEmitter implements AutoCloseable {
    /** The emitting socket's own address (a receiver sees it as the sender), one per process. */
    private static final Path SOURCE = Path.of(System.getProperty("java.io.tmpdir"),
            "g3k-statsd-" + ProcessHandle.current().pid() + ".sock");

    private final Stats stats;
    private final StatConfig config;
    private final Channel channel;
    private final Transport loop; // its own: emits run off the workers, and a Unix socket needs epoll
    private final Map<String, Long> last = new HashMap<>();
    private final ScheduledFuture<?> timer;
    private final String common;

    private StatsdEmitter(Stats stats, StatConfig config, Channel channel, Transport loop) {
        this.stats = stats;
        this.config = config;
        this.channel = channel;
        this.loop = loop;
        this.common = "daemon_group:" + stats.group() + ",stat_id:" + ProcessHandle.current().pid();
        long ms = config.emitInterval().toMillis();
        this.timer = channel.eventLoop().scheduleAtFixedRate(this::emit, ms, ms, TimeUnit.MILLISECONDS);
    }

    public static StatsdEmitter start(Stats stats, StatConfig config) {
        Transport loop = Transport.side("g3k-statsd");
        Bootstrap b = new Bootstrap().group(loop.workers()).handler(new ChannelInboundHandlerAdapter());
        try {
            Channel ch;
            if (config.unix().isPresent()) {
                if (loop.kind() != Transport.Kind.EPOLL) {
                    throw new IllegalStateException("stat: a Unix socket target needs the native epoll transport");
                }
                Files.deleteIfExists(SOURCE); // left by a killed process that had this pid
                ch = b.channel(EpollDomainDatagramChannel.class).bind(new DomainSocketAddress(SOURCE.toFile()))
                        .syncUninterruptibly().channel();
            } else {
                ch = b.channel(loop.datagramChannel()).bind(new InetSocketAddress(
                        config.bindIp().orElse(null), 0)).syncUninterruptibly().channel();
            }
            return new StatsdEmitter(stats, config, ch, loop);
        } catch (IOException e) {
            loop.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    /** The lines of one emit; counters advance their baseline. Runs on the emitter's event loop only. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Stats.Family<?> family : stats.families()) {
            collect(family, out);
        }
        return out;
    }

    private <S> void collect(Stats.Family<S> family, List<String> out) {
        family.objects().forEach((names, object) -> {
            StringBuilder t = new StringBuilder(common);
            String site = null;
            for (int i = 0; i < names.size(); i++) {
                if (family.tags().get(i).equals("site")) {
                    site = names.get(i); // g3proxy puts the site id in the name, not in a tag
                    continue;
                }
                t.append(',').append(family.tags().get(i)).append(':').append(names.get(i));
            }
            stats.extraTags(family, names).forEach((k, v) -> t.append(',').append(k).append(':').append(v));
            String tags = t + (object instanceof ServerStats s ? ",online:" + (s.online ? "y" : "n") : "");
            String key = family.tags() + "/" + names;
            for (Stats.Metric<S> metric : family.metrics()) {
                long value = metric.value().applyAsLong(object);
                String name = site == null ? metric.name() : metric.name().replace(Stats.SITE, site);
                if (metric.kind() == Stats.Kind.COUNTER) {
                    String counter = key + "/" + metric.name();
                    long delta = value - last.getOrDefault(counter, 0L);
                    last.put(counter, value);
                    if (delta != 0) {
                        out.add(config.prefix() + "." + name + ":" + delta + "|c|#" + tags);
                    }
                } else {
                    out.add(config.prefix() + "." + name + ":" + value + "|g|#" + tags);
                }
            }
        });
    }

    private void emit() {
        int max = config.maxSegmentSize();
        StringBuilder batch = new StringBuilder();
        for (String line : lines()) {
            if (batch.length() + line.length() + 1 > max && !batch.isEmpty()) {
                send(batch);
                batch.setLength(0);
            }
            batch.append(line).append('\n');
        }
        if (!batch.isEmpty()) {
            send(batch);
        }
    }

    private void send(StringBuilder batch) {
        ByteBuf buf = Unpooled.copiedBuffer(batch, StandardCharsets.UTF_8);
        Object packet = config.unix().isPresent()
                ? new DomainDatagramPacket(buf, new DomainSocketAddress(config.unix().get().toFile()))
                : new DatagramPacket(buf, config.udp().orElseThrow());
        channel.writeAndFlush(packet, channel.voidPromise());
    }

    @Override
    public void close() {
        timer.cancel(false);
        channel.eventLoop().execute(this::emit);
        channel.close().addListener(closed -> {
            if (config.unix().isPresent()) {
                Files.deleteIfExists(SOURCE); // the bound socket's file outlives the socket
            }
            loop.workers().shutdownGracefully(0, 1, TimeUnit.SECONDS);
        });
    }
}
