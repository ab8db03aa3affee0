package io.g3k.dataplane.tls;

import io.g3k.config.ConfigException;
import io.g3k.config.TlsServerConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.internal.tcnative.SSL;
import io.netty.util.Mapping;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;

/**
 * A built {@code tls_server}: one certificate pair gives a plain {@link SslHandler}; several are chosen by the
 * client's SNI (each pair serves the DNS names of its certificate; the first pair is the default).
 */
public final class TlsServerContext {
    /**
     * What g3k's TLS servers offer (listeners and interception alike), as g3proxy's {@code tls_server} (rustls) does:
     * TLS 1.3 and 1.2, keys exchanged by ECDHE, AEAD ciphers only. Netty's defaults also offer, for old clients,
     * static RSA key exchange (no forward secrecy) and CBC with SHA-1 MACs.
     */
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final SslContext first;
    private final Mapping<String, SslContext> bySni;
    private final Duration handshakeTimeout;

    private TlsServerContext(SslContext first, Mapping<String, SslContext> bySni, Duration handshakeTimeout) {
        this.first = first;
        this.bySni = bySni;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Per-site certificates chosen by SNI: each site's names (exact, or {@code *.child}) map to its own
     * {@code tls_server}; clients without a matching SNI get {@code fallback}.
     */
    public static TlsServerContext forSites(java.util.Map<List<String>, TlsServerConfig> sites, TlsServerConfig fallback,
                                            String location) {
        SslContext first = build(fallback, location).first;
        DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(first);
        sites.forEach((names, tls) -> {
            SslContext ctx = build(tls, location).first;
            names.forEach(name -> mapping.add(name, ctx));
        });
        return new TlsServerContext(first, mapping.build(), fallback.handshakeTimeout());
    }

    public static TlsServerContext build(TlsServerConfig config, String location) {
        try {
            SslContext first = null;
            DomainWildcardMappingBuilder<SslContext> mapping = null;
            for (TlsServerConfig.CertPair pair : config.certPairs()) {
                SslContextBuilder builder = serverBuilder(KeyMaterial.of(pair.certificate(), pair.privateKey()));
                if (config.enableClientAuth()) {
                    List<X509Certificate> trusted = config.caCertificates().isEmpty() ? TlsClientContexts.systemRoots()
                            : Pem.certificates(config.caCertificates());
                    builder.clientAuth(ClientAuth.REQUIRE).trustManager(trusted.toArray(X509Certificate[]::new));
                }
                SslContext ctx = resumption(builder.build(), config);
                if (first == null) {
                    first = ctx;
                    mapping = new DomainWildcardMappingBuilder<>(ctx);
                }
                for (String name : dnsNames(Pem.certificates(pair.certificate()).getFirst())) {
                    mapping.add(name, ctx);
                }
            }
            return new TlsServerContext(first, config.certPairs().size() > 1 ? mapping.build() : null,
                    config.handshakeTimeout());
        } catch (Exception e) {
            throw new ConfigException(location + " key 'tls_server': " + e.getMessage(), e);
        }
    }

    /** A TLS server's context builder for {@code keys}: the provider g3k uses, and the protocols and ciphers above. */
    public static SslContextBuilder serverBuilder(KeyManagerFactory keys) {
        return SslContextBuilder.forServer(keys).sslProvider(TlsClientContexts.provider())
                .protocols(PROTOCOLS).ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    }

    /**
     * Session tickets and the session-id cache, on unless turned off (with the JDK provider, its defaults). Tickets
     * are turned off per connection: tcnative sets options on a connection, not on a built context.
     */
    private static SslContext resumption(SslContext ctx, TlsServerConfig config) {
        if (!(ctx.sessionContext() instanceof OpenSslServerSessionContext sessions)) {
            return ctx;
        }
        sessions.setSessionCacheEnabled(config.sessionCache());
        config.sessionIdContext().ifPresent(id -> sessions.setSessionIdContext(id.getBytes(StandardCharsets.UTF_8)));
        if (config.sessionTickets()) {
            return ctx;
        }
        return new DelegatingSslContext(ctx) {
            @Override
            protected void initEngine(SSLEngine engine) {
                if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
                    SSL.setOptions(openssl.sslPointer(), SSL.SSL_OP_NO_TICKET);
                }
            }
        };
    }

    /**
     * Adds the handler that terminates TLS on this (connected) channel, as "tls" at the pipeline's end; it fires an
     * {@code SslHandshakeCompletionEvent} when the handshake is done.
     */
    public void addTo(Channel ch) {
        if (bySni == null) {
            TlsTimeouts.add(ch, first.newHandler(ch.alloc()), handshakeTimeout, (p, ssl) -> p.addLast("tls", ssl));
        } else {
            ch.pipeline().addLast("tls",
                    TlsTimeouts.sni((name, promise) -> promise.setSuccess(bySni.map(name)), 65536, handshakeTimeout));
        }
    }

    private static List<String> dnsNames(X509Certificate cert) throws Exception {
        var names = cert.getSubjectAlternativeNames();
        if (names == null) {
            return List.of();
        }
        return names.stream().filter(n -> (Integer) n.get(0) == 2).map(n -> (String) n.get(1)).toList();
    }
}
