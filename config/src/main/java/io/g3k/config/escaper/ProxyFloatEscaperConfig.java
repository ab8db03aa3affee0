package io.g3k.config.escaper;

import io.g3k.config.Keys;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code proxy_float}: next proxies published at run time ({@code source: passive}): JSON peers with
 * {@code type} (http, https, socks5, socks5s), {@code addr}, optional {@code username}/{@code password} and an
 * {@code expire} time; tasks use a random unexpired peer. {@code tls_client} applies to TLS peers.
 */
public record ProxyFloatEscaperConfig(String name, TlsClientConfig tlsClient, Duration expireGuard,
                                      Duration peerNegotiationTimeout) implements EscaperConfig {
    public static final String TYPE = "proxy_float";

    @Override
    public String type() {
        return TYPE;
    }

    static ProxyFloatEscaperConfig parse(String name, YamlMap map, Path baseDir) {
        map.take("source").ifPresent(source -> {
            String type = source.isTextual() ? source.asText() : source.path("type").asText("passive");
            if (!Keys.normalize(type).equals("passive")) {
                throw map.error("source", "source '" + type + "' is not supported (passive: publish through the "
                        + "control interface)");
            }
        });
        var config = new ProxyFloatEscaperConfig(name,
                map.map("tls_client").map(m -> TlsClientConfig.parse(m, baseDir)).orElse(TlsClientConfig.DEFAULT),
                map.take("expire_guard_duration", Values::duration).orElse(Duration.ofSeconds(5)),
                map.take("peer_negotiation_timeout", Values::duration, "tcp_connect_timeout")
                        .orElse(Duration.ofSeconds(10)));
        map.ignoreWithWarning("cache", "refresh_interval", "shared_logger", "tcp_keepalive", "extra_metrics_tags",
                "tcp_sock_speed_limit", "udp_sock_speed_limit");
        map.finish();
        return config;
    }
}
