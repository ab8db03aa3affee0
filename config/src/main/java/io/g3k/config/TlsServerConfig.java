package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code tls_server}: certificate/key pairs (PEM; several pairs are picked by SNI), optional mTLS
 * ({@code enable_client_auth}, verified against {@code ca_certificate}), handshake timeout.
 */
public record TlsServerConfig(List<CertPair> certPairs, boolean enableClientAuth, Optional<Path> caCertificate,
                              Duration handshakeTimeout) {
    public record CertPair(Path certificate, Path privateKey) {}

    public static TlsServerConfig parse(YamlMap map, Path baseDir) {
        List<CertPair> pairs = map.require("cert_pairs", node -> pairs(node, map.location(), baseDir));
        boolean clientAuth = map.bool("enable_client_auth", false);
        Optional<Path> ca = map.string("ca_certificate", "ca_cert", "client_auth_certificate").map(baseDir::resolve);
        Duration timeout = map.take("handshake_timeout", Values::duration, "accept_timeout")
                .orElse(Duration.ofSeconds(10));
        map.ignoreWithWarning("no_session_ticket", "no_session_cache", "alpn_protocol", "tls_ticketer");
        map.finish();
        return new TlsServerConfig(pairs, clientAuth, ca, timeout);
    }

    private static List<CertPair> pairs(JsonNode node, String location, Path baseDir) {
        List<CertPair> out = new ArrayList<>();
        List<JsonNode> items = Values.items(node);
        for (int i = 0; i < items.size(); i++) {
            YamlMap pair = new YamlMap(items.get(i), location + " cert_pairs[" + i + "]", new ArrayList<>());
            out.add(new CertPair(baseDir.resolve(pair.requireString("certificate", "cert")),
                    baseDir.resolve(pair.requireString("private_key", "key"))));
            pair.finish();
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate / private_key pair is needed");
        }
        return List.copyOf(out);
    }
}
