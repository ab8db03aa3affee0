package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.HostMatch;
import io.g3k.config.LoadContext;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code type: sni_proxy}: route by the TLS SNI or the HTTP Host of the first request, to the same port the client
 * connected to (or the Host header's port). With {@code allowed_hosts} only the hosts listed are served, each
 * optionally sent to {@code redirect_host} / {@code redirect_port} instead.
 */
public record SniProxyServerConfig(ServerBase base, int tlsMaxClientHelloSize, Duration requestWaitTimeout,
                                   Duration requestRecvTimeout, Optional<List<AllowedHost>> allowedHosts) implements ServerConfig {
    /** An allowed host and where it goes: the requested name and port unless redirected. */
    public record AllowedHost(HostMatch match, Optional<String> redirectHost, OptionalInt redirectPort) {}

    public static final String TYPE = "sni_proxy";

    @Override
    public String type() {
        return TYPE;
    }

    private static List<AllowedHost> allowedHosts(JsonNode node, YamlMap parent) {
        List<AllowedHost> out = new ArrayList<>();
        List<JsonNode> entries = Values.items(node);
        for (int i = 0; i < entries.size(); i++) {
            YamlMap m = new YamlMap(entries.get(i), parent.location() + " allowed_hosts[" + i + "]", parent.warnings());
            HostMatch match = HostMatch.parse(m);
            if (match.isEmpty()) {
                throw m.error("exact_match", "an allowed host needs exact_match or child_match");
            }
            var host = new AllowedHost(match, m.string("redirect_host"),
                    m.takeInt("redirect_port", Values::port));
            m.finish();
            out.add(host);
        }
        return List.copyOf(out);
    }

    static SniProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        var config = new SniProxyServerConfig(ServerBase.proxy(name, map),
                (int) Math.min(1 << 20, map.take("tls_max_client_hello_size", Values::size).orElse(65536L)),
                map.take("request_wait_timeout", Values::duration).orElse(Duration.ofSeconds(60)),
                map.take("request_recv_timeout", Values::duration).orElse(Duration.ofSeconds(4)),
                map.take("allowed_hosts").map(n -> allowedHosts(n, map)));
        map.ignoreWithWarning("protocol_inspection", "server_tcp_portmap",
                "client_tcp_portmap", "auth_by_client_ip", "auth_by_server_name");
        map.finish();
        return config;
    }
}
