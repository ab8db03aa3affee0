package io.g3k.config.server;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.util.Optional;

/**
 * A server's relay buffers, g3proxy's {@code tcp_copy_buffer_size} / {@code tcp_copy_yield_size} and
 * {@code udp_relay_packet_size}, held to g3proxy's bounds (a value outside them is moved in, with a warning).
 *
 * @param tcpBufferSize the largest read of a relayed TCP side; unset, g3k's own (growing up to 1 MiB)
 * @param tcpYieldSize  the bytes one side reads in a row before the other connections on its loop get a turn;
 *                      unset, Netty's 16 reads
 * @param udpPacketSize the largest datagram payload relayed (4 KiB by default); a larger one is dropped
 */
public record CopyBuffers(Optional<Integer> tcpBufferSize, Optional<Integer> tcpYieldSize, int udpPacketSize) {
    public static final int TCP_MIN_BUFFER = 4 << 10;
    public static final int TCP_MIN_YIELD = 256 << 10;
    public static final int UDP_DEFAULT_PACKET = 4096;
    public static final int UDP_MIN_PACKET = 512;
    public static final int UDP_MAX_PACKET = 64 << 10;
    public static final CopyBuffers DEFAULTS = new CopyBuffers(Optional.empty(), Optional.empty(), UDP_DEFAULT_PACKET);

    static CopyBuffers read(YamlMap map) {
        Optional<Integer> buffer = map.take("tcp_copy_buffer_size", Values::size)
                .map(v -> bounded(map, "tcp_copy_buffer_size", v, TCP_MIN_BUFFER, 1 << 30));
        Optional<Integer> yield = map.take("tcp_copy_yield_size", Values::size)
                .map(v -> bounded(map, "tcp_copy_yield_size", v, TCP_MIN_YIELD, 1 << 30));
        int packet = map.take("udp_relay_packet_size", Values::size)
                .map(v -> bounded(map, "udp_relay_packet_size", v, UDP_MIN_PACKET, UDP_MAX_PACKET))
                .orElse(UDP_DEFAULT_PACKET);
        return new CopyBuffers(buffer, yield, packet);
    }

    private static int bounded(YamlMap map, String key, long value, int min, int max) {
        long bounded = Math.clamp(value, min, max);
        if (bounded != value) {
            map.warnings().add(map.location() + ": " + key + " " + value + " is outside " + min + ".." + max
                    + ", using " + bounded);
        }
        return (int) bounded;
    }
}
