package io.g3k.dataplane.support;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and a server certificate for localhost / 127.0.0.1, written as PEM for curl and g3k. */
public final class TestPki {
    public final Path caPem;
    public final Path caKeyPem;
    public final Path serverCertPem;
    public final Path serverKeyPem;
    public final Path clientCertPem;
    public final Path clientKeyPem;
    private final X509Certificate serverCert;
    private final KeyPair serverKey;
    private final X509Certificate ca;

    public TestPki(Path dir) throws Exception {
        this(dir, "g3k test CA");
    }

    public TestPki(Path dir, String caCommonName) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair caKey = gen.generateKeyPair();
        X500Name caName = new X500Name("CN=" + caCommonName);
        ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from(), to(), caName, caKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)), caKey);
        serverKey = gen.generateKeyPair();
        serverCert = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from(), to(),
                new X500Name("CN=localhost"), serverKey.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")})), caKey);
        KeyPair clientKey = gen.generateKeyPair();
        X509Certificate clientCert = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(3), from(), to(),
                new X500Name("CN=g3k test client"), clientKey.getPublic()), caKey);
        clientCertPem = write(dir.resolve("client.pem"), clientCert);
        clientKeyPem = write(dir.resolve("client.key"), clientKey.getPrivate());
        caPem = write(dir.resolve("ca.pem"), ca);
        caKeyPem = write(dir.resolve("ca.key"), caKey.getPrivate());
        serverCertPem = write(dir.resolve("server.pem"), serverCert);
        serverKeyPem = write(dir.resolve("server.key"), serverKey.getPrivate());
    }

    public SSLContext serverContext() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", serverKey.getPrivate(), new char[0], new X509Certificate[] {serverCert, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts this PKI's CA only. */
    public SSLContext clientContext() {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca);
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static Path write(Path file, Object pem) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // keys as PKCS#8 ("BEGIN PRIVATE KEY"), as openssl genpkey writes them
            writer.writeObject(pem instanceof java.security.PrivateKey key ? new JcaPKCS8Generator(key, null) : pem);
        }
        return Files.writeString(file, out.toString());
    }

    private static Date from() {
        return Date.from(Instant.now().minus(1, ChronoUnit.DAYS));
    }

    private static Date to() {
        return Date.from(Instant.now().plus(30, ChronoUnit.DAYS));
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
