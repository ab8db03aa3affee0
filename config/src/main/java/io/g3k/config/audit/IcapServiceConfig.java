package io.g3k.config.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code icap_reqmod_service} / {@code icap_respmod_service}: an ICAP service URL ({@code icap://host:port/path}, or
 * {@code icaps://} with {@code tls_client}), written as the URL alone or as a map. {@code no_preview} sends whole
 * bodies without a preview; {@code bypass} lets messages through unadapted when the service cannot be reached;
 * {@code icap_connection_pool} keeps connections for the next messages.
 */
public record IcapServiceConfig(URI url, Optional<TlsClientConfig> tlsClient, Optional<String> tlsName,
                                boolean noPreview, boolean bypass, int maxHeaderSize,
                                Duration previewDataReadTimeout, IcapConnectionPoolConfig connectionPool) {
    public static IcapServiceConfig parse(JsonNode node, String location, java.util.List<String> warnings,
                                          Path baseDir) {
        if (node.isTextual()) {
            return new IcapServiceConfig(url(node.asText()), Optional.empty(), Optional.empty(), false, false, 8192,
                    Duration.ofSeconds(4), IcapConnectionPoolConfig.DEFAULT);
        }
        YamlMap map = new YamlMap(node, location, warnings);
        URI url = map.require("url", n -> url(Values.string(n)));
        Optional<TlsClientConfig> tls = map.map("tls_client").map(m -> TlsClientConfig.parse(m, baseDir));
        if (url.getScheme().equals("icaps") && tls.isEmpty()) {
            tls = Optional.of(TlsClientConfig.DEFAULT);
        }
        var config = new IcapServiceConfig(url, tls, map.string("tls_name"), map.bool("no_preview", false),
                map.bool("bypass", false),
                map.take("icap_max_header_size", Values::size).map(Long::intValue).orElse(8192),
                map.take("preview_data_read_timeout", Values::duration).orElse(Duration.ofSeconds(4)),
                map.map("icap_connection_pool").map(IcapConnectionPoolConfig::parse)
                        .orElse(IcapConnectionPoolConfig.DEFAULT));
        map.ignoreWithWarning("tcp_keepalive", "respond_shared_names", "use_unix_socket");
        map.finish();
        return config;
    }

    private static URI url(String text) {
        URI url = URI.create(text.trim());
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("icap") && !scheme.equals("icaps")) {
            throw new IllegalArgumentException("ICAP service URL must be icap:// or icaps://, got '" + text + "'");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("ICAP service URL needs a host: '" + text + "'");
        }
        return url;
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : 1344;
    }
}
