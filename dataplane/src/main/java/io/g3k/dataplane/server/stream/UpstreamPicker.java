package io.g3k.dataplane.server.stream;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.StreamUpstream;
import io.g3k.config.server.StreamUpstream.PickPolicy;
import io.g3k.config.server.StreamUpstream.Weighted;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code upstream_pick_policy}: random (weighted), serial (the first), round robin (weighted), and the sticky
 * policies keyed on the client IP: rendezvous (also used for ketama: both keep a client on one upstream and move
 * few clients when the list changes) and jump hash.
 */
public final class UpstreamPicker {
    private final List<Weighted> upstreams;
    private final PickPolicy policy;
    private final int totalWeight;
    private final AtomicLong next = new AtomicLong();

    public UpstreamPicker(StreamUpstream config) {
        this.upstreams = config.upstreams();
        this.policy = config.pickPolicy();
        this.totalWeight = upstreams.stream().mapToInt(Weighted::weight).sum();
    }

    public UpstreamAddr pick(InetAddress client) {
        if (upstreams.size() == 1) {
            return upstreams.getFirst().addr();
        }
        return switch (policy) {
            case SERIAL -> upstreams.getFirst().addr();
            case RANDOM -> byWeight(ThreadLocalRandom.current().nextInt(totalWeight));
            case ROUND_ROBIN -> byWeight((int) (next.getAndIncrement() % totalWeight));
            case KETAMA, RENDEZVOUS -> rendezvous(hash(client));
            case JUMP_HASH -> upstreams.get(jump(hash(client), upstreams.size())).addr();
        };
    }

    private UpstreamAddr byWeight(int point) {
        int acc = 0;
        for (Weighted w : upstreams) {
            acc += w.weight();
            if (point < acc) {
                return w.addr();
            }
        }
        return upstreams.getLast().addr();
    }

    private UpstreamAddr rendezvous(long key) {
        Weighted best = null;
        double bestScore = -1;
        for (Weighted w : upstreams) {
            long h = mix(key ^ hash(w.addr().toString().getBytes(StandardCharsets.UTF_8)));
            double unit = ((h >>> 11) + 1) / (double) (1L << 53);
            double score = -w.weight() / Math.log(unit);
            if (score > bestScore) {
                bestScore = score;
                best = w;
            }
        }
        return best.addr();
    }

    /** Lamping and Veach's jump consistent hash. */
    private static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }

    private static long hash(InetAddress client) {
        return hash(client.getAddress());
    }

    private static long hash(byte[] bytes) {
        return mix(Arrays.hashCode(bytes) * 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
