package io.g3k.config.escaper;

import io.g3k.config.Keys;
import io.g3k.config.MetricsTags;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code proxy_float}: next proxies published at run time ({@code source: passive}) or read every
 * {@code refresh_interval} from a redis set ({@code source: redis://...?sets_key=}): JSON peers with
 * {@code type} (http, https, socks5, socks5s), {@code addr}, optional {@code username}/{@code password} and an
 * {@code expire} time; tasks use a random unexpired peer. {@code tls_client} applies to TLS peers.
 */
public record ProxyFloatEscaperConfig(String name, TlsClientConfig tlsClient, Duration expireGuard,
                                      Duration peerNegotiationTimeout, java.util.Optional<RedisSource> redis,
                                      Duration refreshInterval, java.util.Map<String, String> extraMetricsTags,
                                      TcpKeepalive tcpKeepalive, TcpMiscOpts tcpMiscOpts)
        implements EscaperConfig {
    /** {@code source: redis://[:password@]host:port/db?sets_key=name}: peers are the JSON members of a set. */
    public record RedisSource(io.g3k.config.UpstreamAddr addr, int db, String setsKey,
                              java.util.Optional<String> password) {
        static RedisSource parse(String url) {
            java.net.URI uri = java.net.URI.create(url);
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            String key = java.util.Arrays.stream(query.split("&")).filter(p -> p.startsWith("sets_key="))
                    .map(p -> p.substring(9)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the redis source needs ?sets_key=<set>"));
            String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "0" : uri.getPath().substring(1);
            java.util.Optional<String> password = java.util.Optional.ofNullable(uri.getUserInfo())
                    .map(u -> u.contains(":") ? u.substring(u.indexOf(':') + 1) : u);
            return new RedisSource(new io.g3k.config.UpstreamAddr(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()),
                    Integer.parseInt(path), key, password);
        }
    }
    public static final String TYPE = "proxy_float";

    @Override
    public String type() {
        return TYPE;
    }

    static ProxyFloatEscaperConfig parse(String name, YamlMap map, Path baseDir) {
        java.util.Optional<RedisSource> redis = map.take("source", source -> {
            String text = source.isTextual() ? source.asText() : source.path("type").asText("passive");
            if (text.startsWith("redis://")) {
                return RedisSource.parse(text);
            }
            if (!Keys.normalize(text).equals("passive")) {
                throw new IllegalArgumentException("source '" + text + "' is not supported (passive, or "
                        + "redis://host:port/db?sets_key=name)");
            }
            return null;
        });
        var config = new ProxyFloatEscaperConfig(name,
                map.map("tls_client").map(m -> TlsClientConfig.parse(m, baseDir)).orElse(TlsClientConfig.DEFAULT),
                map.take("expire_guard_duration", Values::duration).orElse(Duration.ofSeconds(5)),
                map.take("peer_negotiation_timeout", Values::duration, "tcp_connect_timeout")
                        .orElse(Duration.ofSeconds(10)), redis,
                map.take("refresh_interval", Values::duration).orElse(Duration.ofSeconds(1)),
                map.take("extra_metrics_tags", MetricsTags::parse).orElse(java.util.Map.of()),
                map.take("tcp_keepalive", TcpKeepalive::parse).orElse(TcpKeepalive.DISABLED),
                map.take("tcp_misc_opts", TcpMiscOpts::parse).orElse(TcpMiscOpts.NONE));
        map.ignoreWithWarning("cache", "shared_logger",
                "tcp_sock_speed_limit", "udp_sock_speed_limit");
        map.finish();
        return config;
    }
}
