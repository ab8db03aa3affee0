package io.g3k.config.audit;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetSocketAddress;

/**
 * {@code tls_stream_dump}: copy the plaintext of intercepted TLS streams to a UDP collector as Wireshark exported
 * PDUs (capture with {@code udpdump --payload exported_pdu}). {@code client_side} labels the copies with the
 * client connection's addresses instead of the upstream connection's.
 */
public record TlsStreamDumpConfig(InetSocketAddress peer, int packetSize, boolean clientSide) {
    static TlsStreamDumpConfig parse(YamlMap map) {
        UpstreamAddr peer = map.take("peer", n -> UpstreamAddr.parse(Values.string(n), 5555))
                .orElse(UpstreamAddr.parse("127.0.0.1:5555", 5555));
        if (peer.ip().isEmpty()) {
            throw map.error("peer", "must be an IP address and port");
        }
        int packetSize = map.take("packet_size", Values::integer).orElse(1480);
        if (packetSize < 256 || packetSize > 65507) {
            throw map.error("packet_size", "must be within 256..65507");
        }
        var config = new TlsStreamDumpConfig(new InetSocketAddress(peer.ip().get(), peer.port()), packetSize,
                map.bool("client_side", false));
        map.ignoreWithWarning("socket_buffer", "misc_opts");
        map.finish();
        return config;
    }
}
