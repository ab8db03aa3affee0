package io.g3k.dataplane.tls;

import io.g3k.config.PemValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads PEM certificates and keys (files or inline text) with clear errors. */
public final class Pem {
    private Pem() {}

    public static List<X509Certificate> certificates(PemValue pem) throws IOException, CertificateException {
        try (InputStream in = new ByteArrayInputStream(pem.read().getBytes(StandardCharsets.US_ASCII))) {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new CertificateException(pem + " holds no PEM certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw e.getMessage() != null && e.getMessage().contains(pem.toString()) ? e
                    : new CertificateException(pem + ": not a PEM certificate (" + e.getMessage() + ")", e);
        }
    }

    /** The certificates of all the values in order: a chain spread over several files or strings. */
    public static List<X509Certificate> certificates(List<PemValue> pems) throws IOException, CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        for (PemValue pem : pems) {
            out.addAll(certificates(pem));
        }
        return out;
    }

    /** The first private key in the file: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"). */
    public static PrivateKey privateKey(PemValue pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem.read()))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                switch (item) {
                    case PEMKeyPair pair -> {
                        return converter.getKeyPair(pair).getPrivate();
                    }
                    case PrivateKeyInfo info -> {
                        return converter.getPrivateKey(info);
                    }
                    default -> { } // EC parameters and the like come before the key
                }
            }
        }
        throw new IOException(pem + " holds no unencrypted PEM private key");
    }
}
