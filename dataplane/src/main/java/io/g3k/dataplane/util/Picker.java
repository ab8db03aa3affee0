package io.g3k.dataplane.util;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.StreamUpstream;
import io.g3k.config.server.StreamUpstream.PickPolicy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * g3proxy's pick policies over weighted items (upstream addresses, next escapers): random (weighted), serial
 * (the first), round robin (weighted), and the sticky ones keyed on the client address: rendezvous (also used
 * for ketama: both keep a client on one item and move few clients when the list changes) and jump hash.
 */
public final class Picker<T> {
    private final List<T> items;
    private final int[] weights;
    private final PickPolicy policy;
    private final int totalWeight;
    private final AtomicLong next = new AtomicLong();

    public Picker(List<T> items, List<Integer> weights, PickPolicy policy) {
        this.items = List.copyOf(items);
        this.weights = weights.stream().mapToInt(Integer::intValue).toArray();
        this.policy = policy;
        this.totalWeight = Arrays.stream(this.weights).sum();
    }

    public static Picker<UpstreamAddr> of(StreamUpstream upstream) {
        return new Picker<>(upstream.upstreams().stream().map(StreamUpstream.Weighted::addr).toList(),
                upstream.upstreams().stream().map(StreamUpstream.Weighted::weight).toList(), upstream.pickPolicy());
    }

    public T pick(InetAddress client) {
        if (items.size() == 1) {
            return items.getFirst();
        }
        return switch (policy) {
            case SERIAL -> items.getFirst();
            case RANDOM -> byWeight(ThreadLocalRandom.current().nextInt(totalWeight));
            case ROUND_ROBIN -> byWeight((int) (next.getAndIncrement() % totalWeight));
            case KETAMA, RENDEZVOUS -> rendezvous(hash(client.getAddress()));
            case JUMP_HASH -> items.get(jump(hash(client.getAddress()), items.size()));
        };
    }

    private T byWeight(int point) {
        int acc = 0;
        for (int i = 0; i < items.size(); i++) {
            acc += weights[i];
            if (point < acc) {
                return items.get(i);
            }
        }
        return items.getLast();
    }

    private T rendezvous(long key) {
        T best = null;
        double bestScore = -1;
        for (int i = 0; i < items.size(); i++) {
            long h = mix(key ^ hash(String.valueOf(items.get(i)).getBytes(StandardCharsets.UTF_8)));
            double unit = ((h >>> 11) + 1) / (double) (1L << 53);
            double score = -weights[i] / Math.log(unit);
            if (score > bestScore) {
                bestScore = score;
                best = items.get(i);
            }
        }
        return best;
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

    private static long hash(byte[] bytes) {
        return mix(Arrays.hashCode(bytes) * 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
