package io.g3k.config.server;

import io.g3k.config.DstFilters;
import io.g3k.config.HttpKeepAlive;
import io.g3k.config.LoadContext;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.TlsServerConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code type: http_proxy}: HTTP/1.1 forward proxy, CONNECT, and https forward (absolute https:// URIs); with
 * {@code tls_server} the proxy itself is reached over TLS (the relay of the guide's scenario designs).
 */
public record HttpProxyServerConfig(ServerBase base, TlsClientConfig tlsClient, String authRealm,
                                    Duration reqHeaderRecvTimeout, Duration rspHeaderRecvTimeout,
                                    int reqHeaderMaxSize, int rspHeaderMaxSize, int pipelineSize,
                                    Duration pipelineReadIdleTimeout, boolean allowCustomHost, int logUriMaxChars,
                                    Optional<TlsServerConfig> tlsServer, boolean stealForwardedFor,
                                    HttpKeepAlive upstreamKeepalive, boolean dropDefaultPortInHost,
                                    HttpCustomHeaders customHeaders, boolean noEarlyErrorReply,
                                    int bodyLineMaxLength, DstFilters dstFilters)
        implements ServerConfig {
    public static final String TYPE = "http_proxy";
    /** Netty's own limit is per header block; we never go above 64 KiB, as Squid and Envoy. */
    static final int MAX_HEADER_SIZE = 64 * 1024;

    @Override
    public String type() {
        return TYPE;
    }

    static HttpProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.proxy(name, map);
        TlsClientConfig tls = map.map("tls_client")
                .map(m -> TlsClientConfig.parse(m, ctx.baseDir())).orElse(TlsClientConfig.DEFAULT);
        var config = new HttpProxyServerConfig(base, tls, authRealm(map),
                map.take("req_header_recv_timeout", Values::duration).orElse(Duration.ofSeconds(30)),
                map.take("rsp_header_recv_timeout", Values::duration).orElse(Duration.ofSeconds(60)),
                headerSize(map, "req_header_max_size"),
                headerSize(map, "rsp_header_max_size"),
                map.take("pipeline_size", Values::positiveInt).orElse(10),
                map.take("pipeline_read_idle_timeout", Values::duration).orElse(Duration.ofMinutes(5)),
                map.bool("allow_custom_host", true),
                map.take("log_uri_max_chars", Values::positiveInt, "uri_log_max_chars").orElse(1024),
                map.map("tls_server", "tls").map(m -> TlsServerConfig.parse(m, ctx.baseDir())),
                map.bool("steal_forwarded_for", false),
                map.take("http_forward_upstream_keepalive", HttpKeepAlive::parse).orElse(HttpKeepAlive.DEFAULT),
                map.bool("drop_default_port_in_host", false),
                HttpCustomHeaders.parse(map, true),
                map.bool("no_early_error_reply", false),
                bodyLineMaxLength(map),
                DstFilters.parse(map));
        map.ignoreWithWarning("local_server_name", "ftp_client", "untrusted_read_speed_limit", "untrusted_read_limit",
                "egress_path_selection_header", "path_selection_header", "username_params");
        map.finish();
        return config;
    }

    /** {@code auth_realm}, for Basic auth's challenge ("proxy", as g3proxy). */
    static String authRealm(YamlMap map) {
        String realm = map.string("auth_realm").orElse("proxy");
        if (!realm.matches("[\\x20-\\x7e&&[^\"\\\\]]+")) {
            throw map.error("auth_realm", "must be printable ASCII without quotes or backslashes");
        }
        return realm;
    }

    /** {@code body_line_max_length}: the longest chunk-size or trailer line of a body (8192, as g3proxy). */
    static int bodyLineMaxLength(YamlMap map) {
        return map.take("body_line_max_length", Values::positiveInt).orElse(8192);
    }

    private static int headerSize(YamlMap map, String key) {
        long size = map.take(key, Values::size).orElse((long) MAX_HEADER_SIZE);
        if (size < 1024 || size > MAX_HEADER_SIZE) {
            throw map.error(key, "must be within 1KiB..64KiB, got " + size);
        }
        return (int) size;
    }
}
