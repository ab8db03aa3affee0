package io.g3k.config.resolver;

import io.g3k.config.Keys;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code type: hickory}: DNS to the {@code server} list, in plain text or encrypted ({@code encryption:
 * dns-over-tls} on port 853, {@code dns-over-https} on 443), verified with {@code tls_client} and {@code tls_name}.
 */
public record HickoryResolverConfig(String name, List<UpstreamAddr> servers, Encryption encryption,
                                    TlsClientConfig tlsClient, Optional<String> tlsName, Duration eachTimeout,
                                    int eachTries, ResolverCache cache) implements ResolverConfig {
    public static final String TYPE = "hickory";

    public enum Encryption { NONE, DOT, DOH }

    @Override
    public String type() {
        return TYPE;
    }

    static HickoryResolverConfig parse(String name, YamlMap map, Path baseDir) {
        Encryption encryption = map.take("encryption", n -> switch (Keys.normalize(Values.string(n))) {
            case "dns_over_tls", "dot", "tls" -> Encryption.DOT;
            case "dns_over_https", "doh", "https" -> Encryption.DOH;
            case "dns_over_http/3", "doh3", "dns_over_quic", "doq" -> throw new IllegalArgumentException(
                    "'" + n.asText() + "' is not supported: dns-over-tls and dns-over-https are (DNS over QUIC was tried"
                            + " on Netty's QUIC and its handshakes were not reliable here)");
            default -> throw new IllegalArgumentException("invalid encryption '" + n.asText() + "'");
        }).orElse(Encryption.NONE);
        int defaultPort = map.take("server_port", Values::port)
                .orElse(encryption == Encryption.DOT ? 853 : encryption == Encryption.DOH ? 443 : 53);
        List<UpstreamAddr> servers = map.require("server", n -> Values.stringList(n).stream()
                .map(s -> CAresResolverConfig.checkIp(UpstreamAddr.parse(s, defaultPort))).toList());
        TlsClientConfig tls = map.map("tls_client").map(m -> TlsClientConfig.parse(m, baseDir))
                .orElse(TlsClientConfig.DEFAULT);
        var config = new HickoryResolverConfig(name, servers, encryption, tls, map.string("tls_name"),
                map.take("each_timeout", CAresResolverConfig::millis).orElse(Duration.ofSeconds(5)),
                map.take("each_tries", Values::positiveInt).orElse(2), ResolverCache.parse(map));
        map.ignoreWithWarning("connect_timeout", "request_timeout", "retry_interval", "bind_ip", "bind_interface", "tcp_misc_opts",
                "udp_misc_opts");
        map.finish();
        return config;
    }
}
