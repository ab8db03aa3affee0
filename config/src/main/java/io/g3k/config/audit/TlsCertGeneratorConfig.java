package io.g3k.config.audit;

import io.g3k.config.ConfigException;
import io.g3k.config.PemValue;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code tls_cert_generator} (g3k): the CA that signs the certificates shown to intercepted clients, in process.
 * g3proxy asks the {@code g3fcgen} daemon over UDP ({@code tls_cert_agent}) instead; g3k does the same work itself.
 */
public record TlsCertGeneratorConfig(PemValue caCertificate, PemValue caPrivateKey, Duration certValidity, int cacheSize) {
    public static TlsCertGeneratorConfig parse(YamlMap map, Path baseDir) {
        PemValue cert = map.require("ca_certificate", n -> PemValue.parse(n, baseDir), "ca_cert");
        PemValue key = map.require("ca_private_key", n -> PemValue.parse(n, baseDir), "ca_key");
        Duration validity = map.take("cert_validity", Values::duration).orElse(Duration.ofDays(30));
        int cacheSize = map.take("cache_size", Values::positiveInt).orElse(1024);
        map.finish();
        if (validity.compareTo(Duration.ofHours(1)) < 0) {
            throw new ConfigException(map.location() + " key 'cert_validity': must be at least 1h");
        }
        return new TlsCertGeneratorConfig(cert, key, validity, cacheSize);
    }
}
