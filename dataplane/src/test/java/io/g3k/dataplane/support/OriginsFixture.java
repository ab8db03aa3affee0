package io.g3k.dataplane.support;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two HTTP origins, an HTTPS origin with a test PKI, and a g3k proxy whose {@code server:} section is a template
 * formatted with {@code %1$d} / {@code %2$d} (the HTTP origins' ports), {@code %3$d} (the HTTPS origin's),
 * {@code %4$s} (the CA), {@code %5$s} / {@code %6$s} (the server certificate and key); {@code extraYaml} is
 * appended (a user group, say). Started once before all tests of a class; a static {@code @RegisterExtension}.
 */
public final class OriginsFixture implements BeforeAllCallback, AfterAllCallback {
    private final String serversTemplate;
    private final String extraYaml;
    private TestPki pki;
    private TestOrigin first;
    private TestOrigin second;
    private TestOrigin tls;
    private RunningProxy proxy;
    private Path dir;

    public OriginsFixture(String serversTemplate, String extraYaml) {
        this.serversTemplate = serversTemplate;
        this.extraYaml = extraYaml;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("g3k-test");
        pki = new TestPki(dir);
        first = TestOrigin.http();
        second = TestOrigin.http();
        tls = TestOrigin.https(pki);
        proxy = RunningProxy.start(dir, Yaml.withServers(serversTemplate.formatted(first.port(), second.port(),
                tls.port(), pki.caPem, pki.serverCertPem, pki.serverKeyPem)) + extraYaml);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        proxy.close();
        first.close();
        second.close();
        tls.close();
        TempDirs.delete(dir);
    }

    public TestPki pki() {
        return pki;
    }

    public TestOrigin first() {
        return first;
    }

    public TestOrigin second() {
        return second;
    }

    public TestOrigin tls() {
        return tls;
    }

    public RunningProxy proxy() {
        return proxy;
    }
}
