package io.g3k.dataplane.audit;

import io.g3k.config.ConfigException;
import io.g3k.config.audit.TlsCertGeneratorConfig;
import io.g3k.dataplane.tls.Pem;
import io.g3k.dataplane.tls.Alpn;
import io.g3k.dataplane.tls.KeyMaterial;
import io.g3k.dataplane.tls.TlsServerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs a certificate per intercepted host with the configured CA (what g3fcgen does for g3proxy). Each host gets
 * its own P-256 key, reused while its entry stays in the LRU cache; serials are random 128-bit numbers. Signing
 * runs on one background thread, never on an event loop.
 */
final class TlsCertGenerator implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate ca;
    private final PrivateKey caKey;
    private final Duration validity;
    private final Map<String, CompletableFuture<SslContext>> cache;
    private final ExecutorService signer = Executors.newSingleThreadExecutor(Thread.ofPlatform()
            .name("g3k-cert-generator").daemon().factory());

    TlsCertGenerator(TlsCertGeneratorConfig config, String location) {
        try {
            this.ca = Pem.certificates(config.caCertificate()).getFirst();
            this.caKey = Pem.privateKey(config.caPrivateKey());
        } catch (Exception e) {
            throw new ConfigException(location + " key 'tls_cert_generator': " + e.getMessage(), e);
        }
        if (ca.getBasicConstraints() < 0) {
            throw new ConfigException(location + " key 'tls_cert_generator': " + config.caCertificate()
                    + " is not a CA certificate (basicConstraints CA:FALSE)");
        }
        if (!keyMatches(ca, caKey)) {
            throw new ConfigException(location + " key 'tls_cert_generator': " + config.caPrivateKey()
                    + " is not the private key of " + config.caCertificate());
        }
        this.validity = config.certValidity();
        int size = config.cacheSize();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<SslContext>> eldest) {
                return size() > size;
            }
        };
    }

    /** The server context to show a client that asked for {@code host}: cached, or signed now. */
    CompletableFuture<SslContext> serverContext(String host) {
        synchronized (cache) {
            CompletableFuture<SslContext> cached = cache.get(host);
            if (cached != null && !cached.isCompletedExceptionally()) {
                return cached;
            }
            CompletableFuture<SslContext> fresh = CompletableFuture.supplyAsync(() -> sign(host), signer);
            cache.put(host, fresh);
            return fresh;
        }
    }

    X509Certificate ca() {
        return ca;
    }

    private SslContext sign(String host) {
        try {
            KeyPairGenerator keys = KeyPairGenerator.getInstance("EC");
            keys.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = keys.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
            boolean ip = NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, new BigInteger(128, RANDOM).setBit(127),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, pair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host)))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signatureAlgorithm(caKey)).build(caKey)));
            // intercepted sessions speak what h1 and h2 interception read; the target is always spoken to in HTTP/1.1
            return TlsServerContext.serverBuilder(KeyMaterial.of(pair.getPrivate(), cert, ca))
                    .applicationProtocolConfig(Alpn.offer("h2", "http/1.1")).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a certificate for " + host + ": " + e.getMessage(), e);
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }

    /** A CA key that does not belong to the CA certificate would sign certificates no client can verify. */
    private static boolean keyMatches(X509Certificate ca, PrivateKey key) {
        try {
            byte[] probe = "g3k".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(signatureAlgorithm(key));
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm(key));
            verifier.initVerify(ca.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"), as openssl writes them. */

    @Override
    public void close() {
        signer.shutdownNow();
    }
}
