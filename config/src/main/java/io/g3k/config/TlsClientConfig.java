package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code tls_client}: how the proxy talks TLS to a target, with g3proxy's OpenSSL client keys: trust (CA, the system
 * store, or {@code insecure}), a client certificate for mTLS, TLS versions and ciphers, SNI, session cache,
 * key-exchange groups, OCSP stapling, handshake timeout.
 *
 * @param protocols        the TLS versions offered, as the JDK names them; empty: the TLS library's default
 *                         (TLS 1.2 and 1.3)
 * @param sessionCacheSize sessions kept for resumption; 0 turns resumption off ({@code no_session_cache})
 */
public record TlsClientConfig(List<PemValue> caCertificates, boolean noDefaultCaCertificate,
                              List<PemValue> certificate, Optional<PemValue> privateKey, Duration handshakeTimeout,
                              List<String> protocols, List<String> ciphers, boolean disableSni, boolean insecure,
                              int sessionCacheSize, List<String> supportedGroups, boolean ocspStapling) {
    /** g3proxy's session cache: 128 sites (the LRU's size) times 16 sessions each. */
    private static final int SESSION_CACHE_SITES = 128;
    private static final int SESSION_CACHE_EACH = 16;
    private static final List<String> VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public static final TlsClientConfig DEFAULT = new TlsClientConfig(List.of(), false, List.of(), Optional.empty(),
            Duration.ofSeconds(10), List.of(), List.of(), false, false, SESSION_CACHE_SITES * SESSION_CACHE_EACH,
            List.of(), false);

    public static TlsClientConfig parse(YamlMap map, Path baseDir) {
        List<PemValue> ca = map.take("ca_certificate", n -> PemValue.parseList(n, baseDir), "ca_cert",
                "server_auth_certificate", "server_auth_cert").orElse(List.of());
        boolean noDefaultCa = map.bool("no_default_ca_certificate", false, "no_default_ca_cert");
        List<PemValue> cert = map.take("certificate", n -> PemValue.parseList(n, baseDir), "cert").orElse(List.of());
        Optional<PemValue> key = map.take("private_key", n -> PemValue.parse(n, baseDir), "key");
        Optional<YamlMap> pair = map.map("cert_pair");
        if (pair.isPresent()) {
            if (!cert.isEmpty() || key.isPresent()) {
                throw map.error("cert_pair", "give the client certificate once: either 'cert_pair' or "
                        + "'certificate' with 'private_key'");
            }
            TlsServerConfig.CertPair parsed = TlsServerConfig.CertPair.parse(pair.get(), baseDir);
            cert = parsed.certificate();
            key = Optional.of(parsed.privateKey());
        }
        Duration timeout = map.take("handshake_timeout", Values::duration, "negotiation_timeout")
                .orElse(DEFAULT.handshakeTimeout());
        List<String> protocols = protocols(map);
        List<String> ciphers = map.take("ciphers", TlsClientConfig::ciphers).orElse(List.of());
        boolean disableSni = map.bool("disable_sni", false);
        boolean insecure = map.bool("insecure", false);
        if (insecure) {
            map.warnings().add(map.location() + ": 'insecure: true': the server's certificate is not verified");
        }
        int cacheSize = sessionCacheSize(map);
        List<String> groups = map.take("supported_groups", TlsClientConfig::groups).orElse(List.of());
        boolean ocsp = map.bool("use_ocsp_stapling", false);
        // BoringSSL has these, but Netty's tcnative gives no way to turn them on; off is also g3proxy's default
        for (String fingerprintKey : List.of("enable_sct", "enable_grease", "permute_extensions")) {
            if (map.bool(fingerprintKey, false)) {
                map.warnings().add(map.location() + ": key '" + fingerprintKey + "': true has no effect in this "
                        + "version of g3k (the TLS library binding cannot turn it on)");
            }
        }
        map.finish();
        if (cert.isEmpty() != key.isEmpty()) {
            throw new ConfigException(map.location() + ": 'certificate' and 'private_key' must be given together");
        }
        if (noDefaultCa && ca.isEmpty() && !insecure) {
            throw new ConfigException(map.location() + ": 'no_default_ca_certificate' needs a 'ca_certificate'");
        }
        return new TlsClientConfig(ca, noDefaultCa, cert, key, timeout, protocols, ciphers, disableSni, insecure,
                cacheSize, groups, ocsp);
    }

    /** {@code protocol} fixes one version; otherwise {@code min_tls_version} / {@code max_tls_version} bound them. */
    private static List<String> protocols(YamlMap map) {
        Optional<String> protocol = map.take("protocol", Values::string);
        Optional<Integer> min = map.take("min_tls_version", TlsClientConfig::version, "tls_version_min");
        Optional<Integer> max = map.take("max_tls_version", TlsClientConfig::version, "tls_version_max");
        if (protocol.isPresent()) {
            String name = protocol.get().toLowerCase(Locale.ROOT);
            if (name.startsWith("tlcp")) {
                throw map.error("protocol", "'" + protocol.get() + "' is not supported (TLCP is not available in g3k)");
            }
            if (name.startsWith("ssl")) {
                throw map.error("protocol", "'" + protocol.get() + "' is not supported (the TLS library has no SSLv3)");
            }
            int version;
            try {
                version = parseVersion(name);
            } catch (IllegalArgumentException e) {
                throw map.error("protocol", e.getMessage());
            }
            if (min.isPresent() || max.isPresent()) {
                map.warnings().add(map.location() + ": 'protocol' fixes the TLS version; min_tls_version and "
                        + "max_tls_version are not used");
            }
            return List.of(VERSIONS.get(version));
        }
        if (min.isEmpty() && max.isEmpty()) {
            return List.of();
        }
        int high = max.orElse(VERSIONS.size() - 1);
        int low = min.orElse(Math.min(2, high)); // TLS 1.0 and 1.1 only when asked for

        if (low > high) {
            throw new ConfigException(map.location() + ": min_tls_version " + VERSIONS.get(low)
                    + " is above max_tls_version " + VERSIONS.get(high));
        }
        return List.copyOf(VERSIONS.subList(low, high + 1));
    }

    /** A TLS version as g3proxy writes it: 1.2, "1.2", tls12, tls1.2, tls1_2 (any case); an index into VERSIONS. */
    private static int version(JsonNode node) {
        if (node.isNumber()) {
            return parseVersion(String.valueOf(node.doubleValue()));
        }
        return parseVersion(Values.string(node).toLowerCase(Locale.ROOT));
    }

    private static int parseVersion(String text) {
        String digits = text.startsWith("tls") ? text.substring(3) : text;
        return switch (digits.replace("_", ".")) {
            case "1", "10", "1.0" -> 0;
            case "11", "1.1" -> 1;
            case "12", "1.2" -> 2;
            case "13", "1.3" -> 3;
            default -> throw new IllegalArgumentException("unknown TLS version '" + text
                    + "' (1.0, 1.1, 1.2 or 1.3, written as 1.2, tls1.2, tls12 or tls1_2)");
        };
    }

    /** OpenSSL's cipher list ({@code A:B}) or a list of names. */
    private static List<String> ciphers(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> out.add(Values.string(item).strip()));
        } else {
            for (String part : Values.string(node).split(":")) {
                out.add(part.strip());
            }
        }
        if (out.isEmpty() || out.contains("")) {
            throw new IllegalArgumentException("expected cipher names, as 'A:B' or a list, without empty entries");
        }
        return List.copyOf(out);
    }

    /** OpenSSL's group list: {@code X25519:P-256}. */
    private static List<String> groups(JsonNode node) {
        List<String> out = List.of(Values.string(node).split(":")).stream().map(String::strip).toList();
        if (out.contains("")) {
            throw new IllegalArgumentException("expected group names separated by ':', such as X25519:P-256");
        }
        return out;
    }

    private static int sessionCacheSize(YamlMap map) {
        boolean off = map.bool("no_session_cache", false, "disable_session_cache", "session_cache_disabled");
        map.bool("use_builtin_session_cache", false); // g3proxy's choice of cache implementation; g3k has one
        int sites = map.take("session_cache_lru_max_sites", Values::positiveInt).orElse(SESSION_CACHE_SITES);
        int each = map.take("session_cache_each_capacity", Values::positiveInt, "session_cache_each_cap")
                .orElse(SESSION_CACHE_EACH);
        return off ? 0 : Math.multiplyExact(sites, each);
    }
}
