package io.g3k.dataplane.tls;

import io.g3k.config.ConfigException;
import io.g3k.config.TlsClientConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds client {@link SslContext}s from {@code tls_client}: BoringSSL via tcnative when present, JDK otherwise. */
public final class TlsClientContexts {
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

    /** A JDK {@link javax.net.ssl.SSLContext} with the same settings, for JDK clients (DoT sockets, DoH). */
    public static javax.net.ssl.SSLContext jdk(TlsClientConfig config, String location) {
        return ((io.netty.handler.ssl.JdkSslContext) build(config, location, SslProvider.JDK)).context();
    }

    private static SslContext build(TlsClientConfig config, String location, SslProvider provider, String... alpn) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider)
                    .endpointIdentificationAlgorithm("HTTPS");
            if (alpn.length > 0) {
                builder.applicationProtocolConfig(Alpn.offer(alpn));
            }
            if (config.caCertificate().isPresent()) {
                List<X509Certificate> trusted = new ArrayList<>(Pem.certificates(config.caCertificate().get()));
                if (!config.noDefaultCaCertificate()) {
                    trusted.addAll(systemRoots());
                }
                builder.trustManager(trusted.toArray(X509Certificate[]::new));
            }
            if (config.certificate().isPresent()) {
                builder.keyManager(KeyMaterial.of(config.certificate().get(), config.privateKey().orElseThrow()));
            }
            return builder.build();
        } catch (Exception e) {
            throw new ConfigException(location + " key 'tls_client': " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> systemRoots() throws Exception {
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
