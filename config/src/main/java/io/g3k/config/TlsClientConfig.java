package io.g3k.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code tls_client}: how the proxy talks TLS to a target (CA, client certificate for mTLS, timeouts). */
public record TlsClientConfig(Optional<Path> caCertificate, boolean noDefaultCaCertificate,
                              Optional<Path> certificate, Optional<Path> privateKey, Duration handshakeTimeout) {
    public static final TlsClientConfig DEFAULT =
            new TlsClientConfig(Optional.empty(), false, Optional.empty(), Optional.empty(), Duration.ofSeconds(10));

    public static TlsClientConfig parse(YamlMap map, Path baseDir) {
        Optional<Path> ca = map.string("ca_certificate", "ca_cert", "server_auth_certificate").map(baseDir::resolve);
        boolean noDefaultCa = map.bool("no_default_ca_certificate", false);
        Optional<Path> cert = map.string("certificate", "cert").map(baseDir::resolve);
        Optional<Path> key = map.string("private_key", "key").map(baseDir::resolve);
        Duration timeout = map.take("handshake_timeout", Values::duration, "negotiation_timeout")
                .orElse(DEFAULT.handshakeTimeout());
        map.take("protocol").map(Values::string).ifPresent(protocol -> {
            if (!Keys.normalize(protocol).startsWith("tls")) {
                throw map.error("protocol", "'" + protocol + "' is not supported (TLCP is not available in g3k)");
            }
        });
        map.ignoreWithWarning("ciphers", "disable_sni", "session_cache_lru_max_sites",
                "session_cache_each_capacity", "no_session_cache", "supported_groups", "use_ocsp_stapling",
                "enable_sct", "enable_grease", "permute_extensions", "insecure");
        map.finish();
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(map.location() + ": 'certificate' and 'private_key' must be given together");
        }
        if (noDefaultCa && ca.isEmpty()) {
            throw new ConfigException(map.location() + ": 'no_default_ca_certificate' needs a 'ca_certificate'");
        }
        return new TlsClientConfig(ca, noDefaultCa, cert, key, timeout);
    }
}
