package io.g3k.dataplane.train;

import io.g3k.config.ConfigLoader;
import io.g3k.dataplane.runtime.Daemon;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code g3k train}: a training run for the JVM's ahead-of-time cache. The JIT compiles what has run often, so a
 * fresh g3k (every pod start, every hot upgrade) runs its connection set-up and handshake code interpreted for
 * its first thousands of connections. Run under {@code -XX:AOTCacheOutput} (bin/g3k and the image do), this
 * starts the main servers on loopback and puts real traffic through each for a while; the JVM then keeps the
 * classes it loaded and linked and the profiles it gathered, and a g3k started with {@code -XX:AOTCache} starts
 * from them. JDK 25 keeps no compiled code, so this shortens start-up (about 1.5 s on the bench machine), not the
 * JIT's warm-up after it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Put loopback traffic through each main server type (for the JVM's AOT cache).",
                "Run it under -XX:AOTCacheOutput=FILE: bin/g3k train and the container image do."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", description = "how long the traffic runs (default: ${DEFAULT-VALUE})")
    int seconds;

    /** A load: one round of it, returning the requests it made. */
    interface Load {
        int round() throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        if (seconds < 1) {
            System.err.println("g3k train: --seconds must be at least 1");
            return 2;
        }
        Path dir = Files.createTempDirectory("g3k-train-");
        try (TrainingOrigin origin = new TrainingOrigin()) {
            Map<String, Integer> ports = freePorts(List.of("http", "socks", "tcp", "tls", "rproxy"));
            Path main = writeConfig(dir, origin.port(), ports);
            Daemon daemon;
            try {
                daemon = Daemon.start(ConfigLoader.load(main), "g3k-train");
            } catch (RuntimeException e) { // a bad config of ours, or a port taken since freePorts()
                System.err.println("g3k train: cannot start the servers: " + e.getMessage());
                return 1;
            }
            try {
                TrainingClient client = new TrainingClient(origin.port());
                Map<String, Load> loads = new LinkedHashMap<>();
                loads.put("http_proxy forward", () -> client.forward(ports.get("http")));
                loads.put("http_proxy forward, a connection a request", () -> client.forwardOnce(ports.get("http")));
                loads.put("http_proxy CONNECT", () -> client.connectTunnel(ports.get("http")));
                loads.put("socks_proxy SOCKS5", () -> client.socks5(ports.get("socks")));
                loads.put("http_rproxy", () -> client.reverse(ports.get("rproxy"), false));
                loads.put("http_rproxy, a connection a request", () -> client.reverse(ports.get("rproxy"), true));
                loads.put("tcp_stream", () -> client.stream(ports.get("tcp")));
                loads.put("tls_stream handshakes", () -> client.tls(ports.get("tls")));
                return report(run(loads, Duration.ofSeconds(seconds)));
            } finally {
                daemon.shutdown(Duration.ofSeconds(2));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every load in a thread of its own, round after round, until the time is up. */
    private static Map<String, Outcome> run(Map<String, Load> loads, Duration duration) throws InterruptedException {
        Instant deadline = Instant.now().plus(duration);
        Map<String, Outcome> outcomes = new LinkedHashMap<>(); // filled before the threads start, read after they end
        List<Thread> threads = new ArrayList<>();
        loads.forEach((name, load) -> {
            Outcome outcome = new Outcome();
            outcomes.put(name, outcome);
            threads.add(Thread.ofPlatform().name("g3k-train-" + name).start(() -> {
                while (Instant.now().isBefore(deadline)) {
                    try {
                        outcome.requests.addAndGet(load.round());
                    } catch (Exception e) {
                        outcome.fail(e);
                    }
                }
            }));
        });
        for (Thread t : threads) {
            t.join();
        }
        return outcomes;
    }

    /** Prints what each load did; fails when a load never got through (the cache would miss its code). */
    private static int report(Map<String, Outcome> outcomes) {
        boolean ok = true;
        for (var e : outcomes.entrySet()) {
            Outcome o = e.getValue();
            System.out.printf("g3k train: %-45s %8d requests, %d failed rounds%s%n", e.getKey(), o.requests.get(),
                    o.failures.get(), o.firstFailure == null ? "" : " (first: " + o.firstFailure + ")");
            ok &= o.requests.get() > 0;
        }
        if (!ok) {
            System.err.println("g3k train: a load never got through; see above");
        }
        return ok ? 0 : 1;
    }

    private static final class Outcome {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String firstFailure;

        void fail(Exception e) {
            if (failures.getAndIncrement() == 0) {
                firstFailure = e.toString();
            }
        }
    }

    private static Path writeConfig(Path dir, int origin, Map<String, Integer> ports) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);
        String upstream = "\"127.0.0.1:" + origin + "\"";
        String yaml = """
                resolver:
                  - {name: default, type: c-ares, server: 127.0.0.1:9}
                escaper:
                  - {name: default, type: direct_fixed, resolver: default, egress_network_filter: {default: allow, allow: 127.0.0.1}}
                server:
                  - {name: http, type: http_proxy, escaper: default, listen: "127.0.0.1:%d"}
                  - {name: socks, type: socks_proxy, escaper: default, listen: "127.0.0.1:%d"}
                  - {name: tcp, type: tcp_stream, escaper: default, listen: "127.0.0.1:%d", proxy_pass: %s}
                  - name: tls
                    type: tls_stream
                    escaper: default
                    listen: "127.0.0.1:%d"
                    proxy_pass: %s
                    tls_server: {cert_pairs: {certificate: %s, private_key: %s}}
                  - name: rproxy
                    type: http_rproxy
                    escaper: default
                    listen: "127.0.0.1:%d"
                    hosts:
                      - {set_default: true, upstream: %s}
                """.formatted(ports.get("http"), ports.get("socks"), ports.get("tcp"), upstream, ports.get("tls"),
                upstream, cert, key, ports.get("rproxy"), upstream);
        Path main = dir.resolve("main.yml");
        Files.writeString(main, yaml);
        return main;
    }

    /** A throw-away RSA 2048 certificate for the tls_stream server (the most common kind of server key). */
    private static void selfSigned(Path cert, Path key) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
        pem(cert, new JcaX509CertificateConverter().getCertificate(holder));
        pem(key, pair.getPrivate());
    }

    private static void pem(Path file, Object value) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(value);
        }
    }

    /** A free port for each server: each socket stays open until all are picked, so no port comes twice. */
    private static Map<String, Integer> freePorts(List<String> servers) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            for (String server : servers) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports.put(server, s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
