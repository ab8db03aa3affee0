package io.g3k.dataplane.tls;

import io.g3k.config.PemValue;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A certificate chain and its key as a {@link KeyManagerFactory} for Netty. With OpenSSL, Netty turns a plain key
 * manager's material into OpenSSL's form on every handshake (the key encoded and parsed again each time: more than
 * the handshake's own crypto); the caching factory does it once per alias.
 */
public final class KeyMaterial {
    private static final char[] STORE_PASSWORD = "g3k".toCharArray(); // an in-memory store only

    private KeyMaterial() {}

    public static KeyManagerFactory of(List<PemValue> certificate, PemValue privateKey) throws Exception {
        List<X509Certificate> chain = Pem.certificates(certificate);
        return of(Pem.privateKey(privateKey), chain.toArray(X509Certificate[]::new));
    }

    public static KeyManagerFactory of(PrivateKey key, X509Certificate... chain) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, STORE_PASSWORD, chain);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, STORE_PASSWORD);
            return TlsClientContexts.provider() == SslProvider.JDK ? factory
                    : new OpenSslCachingX509KeyManagerFactory(factory);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
