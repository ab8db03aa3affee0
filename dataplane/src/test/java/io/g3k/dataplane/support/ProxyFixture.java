package io.g3k.dataplane.support;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's HTTP origin and g3k proxy (from {@link Configs#proxies}), started once before all its tests and
 * stopped after them. Use as a static {@code @RegisterExtension} field.
 */
public final class ProxyFixture implements BeforeAllCallback, AfterAllCallback {
    private final boolean allowLoopback;
    private final String httpExtra;
    private final String socksExtra;
    private TestOrigin origin;
    private RunningProxy proxy;
    private Path dir;

    public ProxyFixture(boolean allowLoopback, String httpExtra, String socksExtra) {
        this.allowLoopback = allowLoopback;
        this.httpExtra = httpExtra;
        this.socksExtra = socksExtra;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("g3k-test");
        origin = TestOrigin.http();
        proxy = RunningProxy.start(dir, Configs.proxies(allowLoopback, httpExtra, socksExtra));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        proxy.close();
        origin.close();
        TempDirs.delete(dir);
    }

    public TestOrigin origin() {
        return origin;
    }

    public RunningProxy proxy() {
        return proxy;
    }

    /** A fresh directory for tests that start a second proxy. */
    public Path dir(String name) throws java.io.IOException {
        return Files.createDirectories(dir.resolve(name));
    }
}
