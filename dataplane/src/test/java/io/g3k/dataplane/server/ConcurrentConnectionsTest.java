package io.g3k.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.G3kProcess;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.Yaml;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 client connections open at once on one http_proxy (its own process, as in production), each serving a
 * forwarded request (1,000 in flight at a time), twice over the same connections; no failure. The origin is a
 * small asyncio server in another process that closes after each answer, so file descriptors stay within this
 * machine's per-process limit (20,000): this JVM holds the 10,000 clients, g3k 10,000 plus upstreams in flight.
 */
class ConcurrentConnectionsTest {
    static final int CLIENTS = 10_000;
    static final int WAVE = 1_000;
    static final String ORIGIN = """
            import asyncio, sys
            async def serve(reader, writer):
                try:
                    line = await reader.readline()
                    while (await reader.readline()) not in (b"\\r\\n", b""):
                        pass
                    body = line.split(b" ")[1]
                    writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body)
                    await writer.drain()
                finally:
                    writer.close()
            async def main():
                server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), backlog=4096)
                async with server:
                    await server.serve_forever()
            asyncio.run(main())
            """;

    @TempDir
    Path dir;

    @Test
    void tenThousandConnectionsAtOnce() throws Exception {
        int originPort = PeerProcess.freePort();
        int proxyPort = PeerProcess.freePort();
        Process origin = new ProcessBuilder("python3", "-c", ORIGIN, String.valueOf(originPort))
                .redirectErrorStream(true).redirectOutput(dir.resolve("origin.log").toFile()).start();
        Path config = Files.writeString(dir.resolve("main.yml"), Yaml.withServers("""
                  - name: http
                    type: http_proxy
                    escaper: default
                    listen: {address: "127.0.0.1:%d", backlog: 4096}
                """.formatted(proxyPort)));
        List<Socket> clients = new ArrayList<>(CLIENTS);
        try (G3kProcess g3k = G3kProcess.start(config, "c10k", dir)) {
            awaitListening(originPort);
            for (int round = 1; round <= 2; round++) {
                // requests go out in waves, the connections all stay open: at the end of round 1 all 10,000 are
                // held at once, and round 2 reuses every one of them
                for (int wave = 0; wave < CLIENTS; wave += WAVE) {
                    for (int i = wave; i < wave + WAVE; i++) {
                        if (round == 1) {
                            Socket s = new Socket();
                            s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 10_000);
                            s.setSoTimeout(120_000);
                            clients.add(s);
                        }
                        OutputStream out = clients.get(i).getOutputStream();
                        out.write(("GET http://127.0.0.1:" + originPort + "/r" + round + "c" + i + " HTTP/1.1\r\nHost: "
                                + "127.0.0.1:" + originPort + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    for (int i = wave; i < wave + WAVE; i++) {
                        String body = "/r" + round + "c" + i;
                        String response = readResponse(clients.get(i).getInputStream(), body.length());
                        assertThat(response).as("client %d round %d", i, round).startsWith("HTTP/1.1 200").endsWith(body);
                    }
                }
            }
            assertThat(clients).hasSize(CLIENTS).allMatch(s -> s.isConnected() && !s.isClosed());
            String metrics = g3k.get("/metrics");
            assertThat(metrics).contains("g3proxy_listen_accepted_total{daemon_group=\"c10k\",server=\"http\"} 10000.0")
                    .contains("g3proxy_server_task_total{daemon_group=\"c10k\",server=\"http\"} 20000.0");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            origin.destroy();
            origin.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitListening(int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("origin did not listen");
    }

    /** Reads one response head and a body of the given length. */
    private static String readResponse(InputStream in, int bodyLength) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("connection closed after: " + head).isNotNegative();
            head.append((char) b);
        }
        byte[] body = in.readNBytes(bodyLength);
        return head + new String(body, StandardCharsets.US_ASCII);
    }
}
