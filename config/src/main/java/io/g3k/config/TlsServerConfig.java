package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code tls_server}: certificate/key pairs (several are picked by SNI), optional mTLS ({@code enable_client_auth},
 * verified against {@code ca_certificate}, or the system's CA store without one, as g3proxy does), session resumption (tickets, session-id cache), handshake timeout.
 * A pair is {@code cert_pairs} (one map or a list) or {@code certificate} with {@code private_key}, as in g3proxy.
 */
public record TlsServerConfig(List<CertPair> certPairs, boolean enableClientAuth, List<PemValue> caCertificates,
                              Duration handshakeTimeout, boolean sessionTickets, boolean sessionCache,
                              Optional<String> sessionIdContext) {
    public record CertPair(List<PemValue> certificate, PemValue privateKey) {
        public static CertPair of(Path certificate, Path privateKey) {
            return new CertPair(List.of(PemValue.of(certificate)), PemValue.of(privateKey));
        }

        /** {@code certificate} (a chain: one value or a list) and {@code private_key}, both required. */
        static CertPair parse(YamlMap pair, Path baseDir) {
            var parsed = new CertPair(pair.require("certificate", n -> PemValue.parseList(n, baseDir), "cert"),
                    pair.require("private_key", n -> PemValue.parse(n, baseDir), "key"));
            pair.finish();
            return parsed;
        }
    }

    public static TlsServerConfig parse(YamlMap map, Path baseDir) {
        List<CertPair> pairs = new ArrayList<>(map.take("cert_pairs", node -> pairs(node, map.location(), baseDir))
                .orElse(List.of()));
        Optional<List<PemValue>> cert = map.take("certificate", n -> PemValue.parseList(n, baseDir), "cert");
        Optional<PemValue> key = map.take("private_key", n -> PemValue.parse(n, baseDir), "key");
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(map.location() + ": 'certificate' and 'private_key' must be given together");
        }
        cert.ifPresent(c -> pairs.add(new CertPair(c, key.get())));
        if (pairs.isEmpty()) {
            throw new ConfigException(map.location() + ": a certificate is needed: 'cert_pairs' (one map of "
                    + "certificate and private_key, or a list of them), or 'certificate' with 'private_key'");
        }
        boolean clientAuth = map.bool("enable_client_auth", false);
        List<PemValue> ca = map.take("ca_certificate", n -> PemValue.parseList(n, baseDir), "ca_cert",
                "client_auth_certificate", "client_auth_cert").orElse(List.of());
        Duration timeout = map.take("handshake_timeout", Values::duration, "negotiation_timeout", "accept_timeout")
                .orElse(Duration.ofSeconds(10));
        boolean tickets = map.bool("use_session_ticket", true)
                && !map.bool("no_session_ticket", false, "disable_session_ticket");
        boolean cache = !map.bool("no_session_cache", false, "disable_session_cache");
        Optional<String> idContext = map.string("session_id_context");
        map.ignoreWithWarning("alpn_protocol", "tls_ticketer");
        map.finish();
        return new TlsServerConfig(List.copyOf(pairs), clientAuth, ca, timeout, tickets, cache, idContext);
    }

    private static List<CertPair> pairs(JsonNode node, String location, Path baseDir) {
        List<CertPair> out = new ArrayList<>();
        List<JsonNode> items = Values.items(node);
        for (int i = 0; i < items.size(); i++) {
            YamlMap pair = new YamlMap(items.get(i), location + " cert_pairs[" + i + "]", new ArrayList<>());
            out.add(CertPair.parse(pair, baseDir));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate / private_key pair is needed");
        }
        return List.copyOf(out);
    }
}
