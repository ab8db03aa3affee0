package io.g3k.dataplane.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real dnsmasq on a free loopback port, answering only the records it is given (never the machine's DNS). */
public final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Each record is dnsmasq's {@code --address} value, e.g. {@code /origin.test/127.0.0.1}. dnsmasq binds UDP and
     * TCP on its port; a port taken meanwhile makes it exit, and then a few other ports are tried.
     */
    public static Dnsmasq start(String... records) throws IOException, InterruptedException {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return startOnce(records);
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private static Dnsmasq startOnce(String... records) throws IOException, InterruptedException {
        int port = freeUdpAndTcpPort();
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                "--no-poll", "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + port, "--pid-file",
                "--user=" + System.getProperty("user.name"), "--local-ttl=300", "--log-facility=-"));
        for (String r : records) {
            cmd.add("--address=" + r);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(300);
        if (!p.isAlive()) {
            throw new IllegalStateException("dnsmasq did not start (exit " + p.exitValue() + "): " + cmd);
        }
        return new Dnsmasq(p, port);
    }

    /**
     * A port free for both UDP and TCP now, below the kernel's ephemeral range (as {@link PeerProcess#freePort}): a
     * probed ephemeral UDP port could be held on TCP by any of the many connections the suite makes (one CI run
     * had all five attempts fail with dnsmasq's exit 2, address in use).
     */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = PeerProcess.freePort();
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return udp.getLocalPort();
            } catch (java.net.BindException taken) {
                // taken on UDP: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP between 20000 and 32000");
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
