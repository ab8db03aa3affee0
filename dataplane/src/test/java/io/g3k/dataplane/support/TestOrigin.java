package io.g3k.dataplane.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP (or HTTPS) origin on loopback that counts the requests it served. */
public final class TestOrigin implements AutoCloseable {
    private final HttpServer server;
    public final AtomicInteger requests = new AtomicInteger();

    private TestOrigin(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.start();
    }

    public static TestOrigin http() throws IOException {
        return new TestOrigin(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64));
    }

    public static TestOrigin https(TestPki pki) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext()));
        return new TestOrigin(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        byte[] response = switch (path) {
            case "/echo" -> body;
            case "/peer" -> exchange.getRemoteAddress().getAddress().getHostAddress().getBytes(StandardCharsets.UTF_8);
            case "/peer-port" -> String.valueOf(exchange.getRemoteAddress().getPort()).getBytes(StandardCharsets.UTF_8);
            case "/big" -> new byte[1 << 20];
            case "/slow" -> slowly();
            case "/headers" -> exchange.getRequestHeaders().entrySet().stream()
                    .map(e -> e.getKey().toLowerCase() + ": " + String.join(",", e.getValue()))
                    .sorted().reduce("", (a, b) -> a + b + "\n").getBytes(StandardCharsets.UTF_8);
            default -> ("hello " + path + "\n").getBytes(StandardCharsets.UTF_8);
        };
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, response.length);
        exchange.getResponseBody().write(response);
        exchange.close();
    }

    /** The answer to {@code /slow}, after 2 s: for response-header timeouts. */
    private static byte[] slowly() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "slow\n".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
