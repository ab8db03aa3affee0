package io.g3k.dataplane.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real peer (squid, microsocks, an FTP server, c-icap) on a free loopback port. */
public final class PeerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    /** A directory made for this peer alone (outside any test's own), deleted with it; else null. */
    private Path ownHome;

    private PeerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The directory of the peer's own files (squid writes access.log there). */
    public Path home() {
        return log.getParent();
    }

    /**
     * A port free now, for a process that must be told its port up front. Chosen below the kernel's ephemeral range
     * (32768 and up), so no socket bound to port 0 or connecting out meanwhile can be handed the same one.
     */
    public static int freePort() throws IOException {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20000, 32000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.net.BindException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 20000 and 32000");
    }

    /** squid as a plain forward proxy allowing everything from loopback (it runs as the proxy user). */
    public static PeerProcess squid() throws Exception {
        return squid("", List.of());
    }

    /**
     * squid with options on its {@code http_port} line (such as {@code require-proxy-header}) and more config lines.
     * Its access.log then has a line a request: client address and port, method, URL ({@code %>a:%>p %rm %ru}).
     */
    public static PeerProcess squid(String portOptions, List<String> more) throws Exception {
        int port = freePort();
        // squid drops to the proxy user: its files live outside the test's private (0700) directory
        Path home = Files.createTempDirectory("g3k-squid-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> lines = new java.util.ArrayList<>(List.of(
                "http_port 127.0.0.1:" + port + portOptions, "http_access allow all",
                "pid_filename " + home.resolve("squid.pid"), "cache_log " + home.resolve("cache.log"),
                "cache deny all", "shutdown_lifetime 0 seconds", "coredump_dir " + home,
                "logformat peers %>a:%>p %rm %ru", "access_log stdio:" + home.resolve("access.log")
                        + (portOptions.isEmpty() && more.isEmpty() ? "" : " peers")));
        lines.addAll(more);
        lines.add("");
        Path conf = Files.writeString(home.resolve("squid.conf"), String.join("\n", lines));
        try {
            PeerProcess squid = start(List.of(squidBinary(), "-N", "-f", conf.toString()), port, home.resolve("out.log"));
            squid.ownHome = home;
            return squid;
        } catch (Exception e) {
            TempDirs.delete(home);
            throw e;
        }
    }

    /** microsocks with username/password authentication. */
    public static PeerProcess microsocks(Path dir, String user, String password) throws Exception {
        int port = freePort();
        return start(List.of("microsocks", "-i", "127.0.0.1", "-p", String.valueOf(port), "-u", user, "-P", password),
                port, dir.resolve("microsocks-" + port + ".log"));
    }

    /** An anonymous read-only FTP server (python3-pyftpdlib) serving a directory. */
    public static PeerProcess ftpServer(Path root, int port) throws Exception {
        // Debian's python3-pyftpdlib lives with the system python, which may not be the first on PATH
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        return start(List.of(python, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", String.valueOf(port), "-d",
                root.toString()), port, root.getParent().resolve("ftp-" + port + ".log"));
    }

    /**
     * c-icap with three services: {@code url_check} blocks the hosts listed (REQMOD), {@code content_filter}
     * masks "top-secret" and blocks bodies with "forbidden-word" (REQMOD and RESPMOD), {@code echo} changes nothing.
     */
    public static PeerProcess cIcap(Path dir, String... blockedHosts) throws Exception {
        return cIcap(dir, List.of(), blockedHosts);
    }

    /** As {@link #cIcap(Path, String...)}, with more lines for its c-icap.conf (a {@code TlsPort}, say). */
    public static PeerProcess cIcap(Path dir, List<String> more, String... blockedHosts) throws Exception {
        int port = freePort();
        Path home = Files.createDirectories(dir.resolve("c-icap-" + port));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path hosts = Files.writeString(home.resolve("blocked.txt"), String.join("\n", blockedHosts) + "\n");
        Path conf = Files.writeString(home.resolve("c-icap.conf"), String.join("\n",
                "PidFile " + home.resolve("c-icap.pid"), "CommandsSocket " + home.resolve("c-icap.ctl"),
                "StartServers 1", "MaxServers 2", "MinSpareThreads 2", "MaxSpareThreads 4", "ThreadsPerChild 4",
                "Port 127.0.0.1:" + port, "TmpDir " + home, "ServerLog " + home.resolve("server.log"),
                "AccessLog " + home.resolve("access.log"), "DebugLevel 1",
                "ModulesDir /usr/lib/x86_64-linux-gnu/c_icap", "ServicesDir /usr/lib/x86_64-linux-gnu/c_icap",
                "TemplateDir /usr/share/c_icap/templates/", "TemplateDefaultLanguage en",
                "LoadMagicFile /etc/c-icap/c-icap.magic",
                "Service echo srv_echo.so",
                "Service url_check srv_url_check.so",
                "url_check.LookupTableDB blocked host hash:" + hosts,
                "url_check.Profile default block blocked", "url_check.Profile default pass ALL",
                "Service content_filter srv_content_filtering.so",
                "srv_content_filtering.Match secrets body /top-secret/ig score=10 info{MASK}=XXXXXXXXXX",
                "srv_content_filtering.Match forbidden body /forbidden-word/i score=10",
                "srv_content_filtering.Profile default block score{forbidden>5}",
                "srv_content_filtering.Profile default replace score{secrets>5} replaceInfo=MASK",
                String.join("\n", more), ""));
        return start(List.of("c-icap", "-N", "-D", "-f", conf.toString()), port, home.resolve("out.log"));
    }

    private static String squidBinary() {
        return Files.isExecutable(Path.of("/usr/sbin/squid")) ? "/usr/sbin/squid" : "squid";
    }

    private static PeerProcess start(List<String> cmd, int port, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new PeerProcess(p, port, log);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(cmd.getFirst() + " exited: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(cmd.getFirst() + " did not listen on " + port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (ownHome != null) {
            TempDirs.delete(ownHome);
        }
    }
}
