package io.g3k.dataplane.audit;

import io.g3k.config.audit.AuditorConfig;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** A running {@code auditor}: decides which tunnels are inspected and holds what TLS interception needs. */
public final class Auditor implements AutoCloseable {
    private final String name;
    private final double taskAuditRatio;
    private final Optional<TlsCertGenerator> certGenerator;
    private final SslContext interceptionClient;
    private final Duration handshakeTimeout;

    public Auditor(AuditorConfig config) {
        String location = "auditor '" + config.name() + "'";
        this.name = config.name();
        this.taskAuditRatio = config.taskAuditRatio();
        this.certGenerator = config.tlsCertGenerator().map(c -> new TlsCertGenerator(c, location));
        this.interceptionClient = TlsClientContexts.build(config.tlsInterceptionClient(), location);
        this.handshakeTimeout = config.tlsInterceptionClient().handshakeTimeout();
    }

    public String name() {
        return name;
    }

    /** Whether to inspect this tunnel: TLS interception is configured and the task falls within the ratio. */
    public boolean inspects() {
        return certGenerator.isPresent()
                && (taskAuditRatio >= 1 || ThreadLocalRandom.current().nextDouble() < taskAuditRatio);
    }

    TlsCertGenerator certGenerator() {
        return certGenerator.orElseThrow();
    }

    SslContext interceptionClient() {
        return interceptionClient;
    }

    Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    @Override
    public void close() {
        certGenerator.ifPresent(TlsCertGenerator::close);
    }
}
