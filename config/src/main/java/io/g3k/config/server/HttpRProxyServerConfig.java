package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.HostMatch;
import io.g3k.config.HttpKeepAlive;
import io.g3k.config.LoadContext;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.TlsServerConfig;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code type: http_rproxy}: a host-routed HTTP reverse proxy, optionally serving TLS per host. */
public record HttpRProxyServerConfig(ServerBase base, List<Host> hosts, boolean enableTlsServer,
                                     Optional<TlsServerConfig> globalTlsServer, boolean noEarlyErrorReply,
                                     Duration reqHeaderRecvTimeout, Duration rspHeaderRecvTimeout,
                                     int reqHeaderMaxSize, int rspHeaderMaxSize, int pipelineSize,
                                     Duration pipelineReadIdleTimeout, HttpForwardedHeaderType appendForwardedFor,
                                     HttpKeepAlive upstreamKeepalive, int logUriMaxChars,
                                     HttpCustomHeaders customHeaders, String authRealm, int bodyLineMaxLength)
        implements ServerConfig {
    public static final String TYPE = "http_rproxy";

    /** One site: which Host names it serves and where it forwards. */
    public record Host(HostMatch match, boolean setDefault, UpstreamAddr upstream,
                       Optional<TlsClientConfig> tlsClient, Optional<String> tlsName,
                       Optional<TlsServerConfig> tlsServer) {
        public boolean matches(String host) {
            return match.matches(host);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    static HttpRProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.proxy(name, map);
        List<Host> hosts = map.require("hosts", node -> hosts(node, map, ctx.baseDir()), "sites");
        boolean enableTls = map.bool("enable_tls_server", false);
        Optional<TlsServerConfig> global = map.map("global_tls_server").map(m -> TlsServerConfig.parse(m, ctx.baseDir()));
        if (enableTls && global.isEmpty() && hosts.stream().allMatch(h -> h.tlsServer().isEmpty())) {
            throw map.error("enable_tls_server", "needs a tls_server on a host or a global_tls_server");
        }
        if (hosts.stream().filter(Host::setDefault).count() > 1) {
            throw map.error("hosts", "only one host may have set_default");
        }
        var config = new HttpRProxyServerConfig(base, hosts, enableTls, global,
                map.bool("no_early_error_reply", false),
                map.take("req_header_recv_timeout", Values::duration).orElse(Duration.ofSeconds(30)),
                map.take("rsp_header_recv_timeout", Values::duration).orElse(Duration.ofSeconds(60)),
                (int) Math.min(65536, map.take("req_header_max_size", Values::size).orElse(65536L)),
                (int) Math.min(65536, map.take("rsp_header_max_size", Values::size).orElse(65536L)),
                map.take("pipeline_size", Values::positiveInt).orElse(10),
                map.take("pipeline_read_idle_timeout", Values::duration).orElse(Duration.ofMinutes(5)),
                map.take("append_forwarded_for", HttpForwardedHeaderType::parse).orElse(HttpForwardedHeaderType.CLASSIC),
                map.take("http_forward_upstream_keepalive", HttpKeepAlive::parse).orElse(HttpKeepAlive.DEFAULT),
                map.take("log_uri_max_chars", Values::positiveInt, "uri_log_max_chars").orElse(1024),
                HttpCustomHeaders.parse(map, false),
                HttpProxyServerConfig.authRealm(map),
                HttpProxyServerConfig.bodyLineMaxLength(map));
        map.ignoreWithWarning("client_hello_recv_timeout", "untrusted_read_speed_limit", "untrusted_read_limit",
                "tls_ticketer");
        map.finish();
        return config;
    }

    private static List<Host> hosts(JsonNode node, YamlMap parent, Path baseDir) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("expected a non-empty list of hosts");
        }
        List<Host> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            YamlMap m = new YamlMap(node.get(i), parent.location() + " hosts[" + i + "]", parent.warnings());
            HostMatch match = HostMatch.parse(m);
            boolean setDefault = m.bool("set_default", false);
            if (match.isEmpty() && !setDefault) {
                throw new IllegalArgumentException("hosts[" + i + "] needs exact_match, child_match or set_default");
            }
            UpstreamAddr upstream = m.require("upstream", n -> UpstreamAddr.parse(Values.string(n), 80));
            Optional<TlsClientConfig> tlsClient = m.map("tls_client").map(t -> TlsClientConfig.parse(t, baseDir));
            Optional<String> tlsName = m.string("tls_name");
            Optional<TlsServerConfig> tlsServer = m.map("tls_server").map(t -> TlsServerConfig.parse(t, baseDir));
            m.finish();
            out.add(new Host(match, setDefault, upstream, tlsClient, tlsName, tlsServer));
        }
        return List.copyOf(out);
    }
}
