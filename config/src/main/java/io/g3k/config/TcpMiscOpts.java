package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * g3proxy's {@code tcp_misc_opts}, socket options set on each TCP socket: {@code no_delay} (on unless set off),
 * {@code max_segment_size} ({@code mss}), {@code time_to_live} ({@code ttl}) and {@code hop_limit},
 * {@code type_of_service} ({@code tos}) and {@code traffic_class}, {@code netfilter_mark} ({@code mark}),
 * {@code congestion_control} (a kernel algorithm name such as {@code cubic} or {@code bbr}).
 */
public record TcpMiscOpts(Optional<Boolean> noDelay, OptionalInt maxSegmentSize, OptionalInt timeToLive,
                          OptionalInt hopLimit, OptionalInt typeOfService, OptionalInt trafficClass,
                          OptionalInt netfilterMark, Optional<String> congestionControl) {
    public static final TcpMiscOpts NONE = new TcpMiscOpts(Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());

    public static TcpMiscOpts parse(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map of socket options, got " + YamlMap.describe(node));
        }
        YamlMap map = new YamlMap(node, "tcp_misc_opts", new ArrayList<>());
        var opts = new TcpMiscOpts(map.take("no_delay", Values::bool),
                map.takeInt("max_segment_size", TcpMiscOpts::segmentSize, "mss"),
                map.takeInt("time_to_live", n -> within(n, 1, 255), "ttl"),
                map.takeInt("hop_limit", n -> within(n, 1, 255)),
                map.takeInt("type_of_service", n -> within(n, 0, 255), "tos"),
                map.takeInt("traffic_class", n -> within(n, 0, 255)),
                map.takeInt("netfilter_mark", TcpMiscOpts::mark, "mark"),
                map.take("congestion_control", n -> {
                    String name = Values.string(n);
                    if (!name.matches("[a-z0-9_]{1,15}")) {
                        throw new IllegalArgumentException("'" + name + "' is not a congestion control algorithm name");
                    }
                    return name;
                }));
        map.finish();
        return opts;
    }

    /**
     * These options adjusted by a user's ({@code tcp_remote_misc_opts}, {@code tcp_client_misc_opts}), as g3proxy
     * does: no delay if either asks for it, the smaller segment size, TTL and hop limit, the user's TOS, traffic
     * class, mark and congestion control where set.
     */
    public TcpMiscOpts adjustTo(TcpMiscOpts user) {
        Optional<Boolean> delay = noDelay.isEmpty() && user.noDelay.isEmpty() ? Optional.empty()
                : Optional.of(noDelay.orElse(false) || user.noDelay.orElse(false));
        return new TcpMiscOpts(delay, min(maxSegmentSize, user.maxSegmentSize), min(timeToLive, user.timeToLive),
                min(hopLimit, user.hopLimit), or(user.typeOfService, typeOfService),
                or(user.trafficClass, trafficClass), or(user.netfilterMark, netfilterMark),
                user.congestionControl.or(() -> congestionControl));
    }

    private static OptionalInt min(OptionalInt a, OptionalInt b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : OptionalInt.of(Math.min(a.getAsInt(), b.getAsInt()));
    }

    private static OptionalInt or(OptionalInt preferred, OptionalInt fallback) {
        return preferred.isPresent() ? preferred : fallback;
    }

    /** A listening socket's options: the segment size and mark only. */
    public static TcpMiscOpts listen(OptionalInt maxSegmentSize, OptionalInt netfilterMark) {
        return new TcpMiscOpts(Optional.empty(), maxSegmentSize, OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), netfilterMark, Optional.empty());
    }

    static int segmentSize(JsonNode node) {
        return within(node, 88, 65535);
    }

    /** A 32-bit mark, decimal or {@code 0x} hex, kept in an int as the kernel does. */
    static int mark(JsonNode node) {
        String text = Values.string(node).trim().toLowerCase(Locale.ROOT);
        try {
            long value = text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
            if (value >= 0 && value <= 0xffff_ffffL) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("a mark is a 32-bit number (decimal or 0x hex), got '" + text + "'");
    }

    private static int within(JsonNode node, int min, int max) {
        int value = Values.integer(node);
        if (value < min || value > max) {
            throw new IllegalArgumentException("must be within " + min + ".." + max + ", got " + value);
        }
        return value;
    }
}
