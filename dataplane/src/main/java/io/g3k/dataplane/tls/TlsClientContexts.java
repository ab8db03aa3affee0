package io.g3k.dataplane.tls;

import io.g3k.config.ConfigException;
import io.g3k.config.TlsClientConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds client {@link SslContext}s from {@code tls_client}: BoringSSL via tcnative when present, JDK otherwise.
 * Every setting is checked when the config loads (a probe engine is made), so a bad cipher name is a config error,
 * not a failed connection later.
 */
public final class TlsClientContexts {
    /** A cipher list's JDK names, worked out once: DoT asks for them on every query's socket. */
    private static final Map<List<String>, List<String>> JAVA_CIPHER_NAMES = new ConcurrentHashMap<>();

    private TlsClientContexts() {}

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public static SslContext build(TlsClientConfig config, String location) {
        return build(config, location, provider());
    }

    /** A client context that offers these ALPN protocols (and goes on without ALPN when the server picks none). */
    public static SslContext build(TlsClientConfig config, String location, String... alpn) {
        return build(config, location, provider(), alpn);
    }

    /**
     * A JDK {@link javax.net.ssl.SSLContext} with the same trust and client certificate, for JDK clients (DoT
     * sockets, DoH); the per-connection settings come from {@link #jdkParameters}.
     */
    public static javax.net.ssl.SSLContext jdk(TlsClientConfig config, String location) {
        try {
            return ((io.netty.handler.ssl.JdkSslContext) context(config, SslProvider.JDK)).context();
        } catch (Exception e) {
            throw new ConfigException(location + " key 'tls_client': " + message(e), e);
        }
    }

    /** The settings a JDK socket or HTTP client applies per connection: versions, ciphers, groups, SNI, host check. */
    public static SSLParameters jdkParameters(TlsClientConfig config, SSLParameters params) {
        if (!config.insecure()) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!config.protocols().isEmpty()) {
            params.setProtocols(config.protocols().toArray(String[]::new));
        }
        if (!config.ciphers().isEmpty()) {
            params.setCipherSuites(javaCipherNames(config).toArray(String[]::new));
        }
        return jdkEngineParameters(config, params);
    }

    private static SslContext build(TlsClientConfig config, String location, SslProvider provider, String... alpn) {
        try {
            SslContext context = context(config, provider, alpn);
            boolean perEngine = config.disableSni() || provider == SslProvider.JDK && !config.supportedGroups().isEmpty();
            SslContext built = perEngine ? withEngineSettings(context, config) : context;
            release(built.newEngine(ByteBufAllocator.DEFAULT, "probe.invalid", 443));
            return built;
        } catch (Exception e) {
            throw new ConfigException(location + " key 'tls_client': " + message(e), e);
        }
    }

    private static SslContext context(TlsClientConfig config, SslProvider chosen, String... alpn) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(chosen);
        if (alpn.length > 0) {
            builder.applicationProtocolConfig(Alpn.offer(alpn));
        }
        trust(config, builder);
        if (!config.certificate().isEmpty()) {
            builder.keyManager(KeyMaterial.of(config.certificate(), config.privateKey().orElseThrow()));
        }
        if (!config.protocols().isEmpty()) {
            builder.protocols(config.protocols());
        }
        if (!config.ciphers().isEmpty()) {
            builder.ciphers(chosen == SslProvider.JDK ? javaCipherNames(config) : config.ciphers());
        }
        if (chosen == SslProvider.OPENSSL) {
            if (!config.supportedGroups().isEmpty()) {
                builder.option(OpenSslContextOption.GROUPS, config.supportedGroups().toArray(String[]::new));
            }
            builder.enableOcsp(config.ocspStapling());
        }
        if (config.sessionCacheSize() > 0) {
            builder.sessionCacheSize(config.sessionCacheSize());
        }
        SslContext context = builder.build();
        if (config.sessionCacheSize() == 0 && context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(false);
        }
        return context;
    }

    private static void trust(TlsClientConfig config, SslContextBuilder builder) throws Exception {
        if (config.insecure()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            return;
        }
        builder.endpointIdentificationAlgorithm("HTTPS");
        if (!config.caCertificates().isEmpty()) {
            List<X509Certificate> trusted = new ArrayList<>(Pem.certificates(config.caCertificates()));
            if (!config.noDefaultCaCertificate()) {
                trusted.addAll(systemRoots());
            }
            builder.trustManager(trusted.toArray(X509Certificate[]::new));
        }
    }

    /**
     * What is set per connection: no SNI (Netty's BoringSSL engine sets the target's name as SNI when it is made;
     * clearing it leaves the name the certificate is checked against), and on the JDK engine the groups.
     */
    private static SslContext withEngineSettings(SslContext context, TlsClientConfig config) {
        return new DelegatingSslContext(context) {
            @Override
            protected void initEngine(SSLEngine engine) {
                if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
                    if (config.disableSni()) {
                        SSL.setTlsExtHostName(openssl.sslPointer(), null);
                    }
                    return;
                }
                engine.setSSLParameters(jdkEngineParameters(config, engine.getSSLParameters()));
            }
        };
    }

    private static SSLParameters jdkEngineParameters(TlsClientConfig config, SSLParameters params) {
        if (!config.supportedGroups().isEmpty()) {
            params.setNamedGroups(config.supportedGroups().stream().map(TlsClientContexts::javaGroupName)
                    .toArray(String[]::new));
        }
        if (config.disableSni()) {
            params.setServerNames(List.of());
        }
        return params;
    }

    /** g3proxy names ciphers as OpenSSL does; the JDK wants the IANA names, which BoringSSL's engine reports. */
    private static List<String> javaCipherNames(TlsClientConfig config) {
        if (!OpenSsl.isAvailable()) {
            return config.ciphers();
        }
        return JAVA_CIPHER_NAMES.computeIfAbsent(config.ciphers(), TlsClientContexts::javaCipherNames);
    }

    private static List<String> javaCipherNames(List<String> openSslNames) {
        try {
            SslContext probe = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                    .ciphers(openSslNames).build();
            SSLEngine engine = probe.newEngine(ByteBufAllocator.DEFAULT);
            try {
                return List.of(engine.getEnabledCipherSuites());
            } finally {
                release(engine);
            }
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** OpenSSL's group names where the JDK's differ (P-256 is secp256r1). */
    private static String javaGroupName(String group) {
        return switch (group) {
            case "P-256", "prime256v1" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> group.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void release(SSLEngine engine) {
        engine.closeOutbound();
        ReferenceCountUtil.release(engine);
    }

    private static String message(Exception e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    /** The JDK's default trust store: the system CAs. */
    static List<X509Certificate> systemRoots() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        List<X509Certificate> out = new ArrayList<>();
        for (var tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                out.addAll(List.of(x509.getAcceptedIssuers()));
            }
        }
        return out;
    }
}
