package io.g3k.dataplane.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real unbound on loopback serving DNS over TLS and over HTTPS for a local zone (nothing recursive). */
public final class Unbound implements AutoCloseable {
    private final Process process;
    public final int dotPort;
    public final int dohPort;

    private Unbound(Process process, int dotPort, int dohPort) {
        this.process = process;
        this.dotPort = dotPort;
        this.dohPort = dohPort;
    }

    /** Records are unbound local-data lines, e.g. {@code origin.g3k.test. 300 IN A 127.0.0.1}. */
    public static Unbound start(Path dir, TestPki pki, String zone, String... records) throws Exception {
        int dot = PeerProcess.freePort();
        int doh = PeerProcess.freePort();
        StringBuilder conf = new StringBuilder("""
                server:
                  interface: 127.0.0.1@%1$d
                  interface: 127.0.0.1@%2$d
                  tls-port: %1$d
                  https-port: %2$d
                  tls-service-key: "%3$s"
                  tls-service-pem: "%4$s"
                  do-daemonize: no
                  username: ""
                  chroot: ""
                  pidfile: ""
                  directory: "%5$s"
                  use-syslog: no
                  logfile: ""
                  access-control: 127.0.0.0/8 allow
                  local-zone: "%6$s" static
                """.formatted(dot, doh, pki.serverKeyPem, pki.serverCertPem, dir, zone));
        for (String record : records) {
            conf.append("  local-data: \"").append(record).append("\"\n");
        }
        conf.append("remote-control:\n  control-enable: no\n");
        Path file = Files.writeString(dir.resolve("unbound-" + dot + ".conf"), conf.toString());
        Path log = dir.resolve("unbound-" + dot + ".log");
        String binary = Files.isExecutable(Path.of("/usr/sbin/unbound")) ? "/usr/sbin/unbound" : "unbound";
        Process p = new ProcessBuilder(List.of(binary, "-d", "-c", file.toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("unbound exited: " + Files.readString(log));
            }
            if (Files.readString(log).contains("start of service")) {
                return new Unbound(p, dot, doh);
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("unbound did not start: " + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
