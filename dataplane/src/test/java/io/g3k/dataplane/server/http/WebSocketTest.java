package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.WebSocketOrigin;
import io.g3k.dataplane.support.Yaml;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket (an HTTP/1.1 upgrade) through http_rproxy and through http_proxy forwarding, against Netty's WebSocket
 * server: the upgrade request goes on with its Upgrade and Connection headers, the 101 comes back, and from then on
 * the two connections are a byte relay, including the frame the origin sends right behind its 101.
 */
class WebSocketTest {
    @TempDir
    static Path dir;
    static WebSocketOrigin origin;
    static WebSocketOrigin tlsOrigin;
    static TestOrigin plainOrigin;
    static TestPki originPki;
    static TestPki auditPki;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        originPki = new TestPki(Files.createDirectories(dir.resolve("origin")), "g3k origin CA");
        auditPki = new TestPki(Files.createDirectories(dir.resolve("audit")), "g3k interception CA");
        origin = new WebSocketOrigin();
        tlsOrigin = new WebSocketOrigin(originPki);
        plainOrigin = TestOrigin.http();
        proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                auditor:
                  - name: intercept
                    tls_cert_generator: {ca_certificate: %s, ca_private_key: %s}
                    tls_interception_client: {ca_certificate: %s}
                server:
                  - {name: rproxy, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     hosts: [{set_default: true, upstream: "127.0.0.1:%d"}]}
                  - {name: forward, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                  - {name: intercepting, escaper: default, type: http_proxy, auditor: intercept, listen: "127.0.0.1:0"}
                """.formatted(auditPki.caPem, auditPki.caKeyPem, originPki.caPem, origin.port()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {proxy, origin, tlsOrigin, plainOrigin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    @Test
    void theJdksWebSocketClientTalksThroughTheReverseProxy() throws Exception {
        talk(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + proxy.port("rproxy") + "/ws"));
    }

    /** wss through CONNECT with TLS interception: the decrypted HTTP/1 upgrade is relayed as the plain one is. */
    @Test
    void theJdksClientTalksWssThroughTlsInterception() throws Exception {
        int before = tlsOrigin.handshakes.get();
        HttpClient client = HttpClient.newBuilder().sslContext(auditPki.clientContext())
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port("intercepting")))).build();
        talk(client, URI.create("wss://localhost:" + tlsOrigin.port() + "/ws"));
        assertThat(tlsOrigin.handshakes.get()).isEqualTo(before + 1);
    }

    /** Opens a WebSocket, takes the origin's greeting, has two messages echoed and closes. */
    private static void talk(HttpClient client, URI uri) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                received.add(data.toString());
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        for (String text : new String[] {"one", "two"}) {
            ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: " + text);
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        ws.abort();
    }

    @Test
    void aForwardedUpgradeRequestBecomesATunnel() throws Exception {
        try (RawClient client = new RawClient(proxy.port("forward"))) {
            client.send("GET http://127.0.0.1:" + origin.port() + "/ws HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            String head = client.readHead();
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: websocket")
                    .containsIgnoringCase("connection: upgrade")
                    .containsIgnoringCase("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(readText(client)).isEqualTo("hello");
            client.send(maskedText("over the tunnel"));
            assertThat(readText(client)).isEqualTo("echo: over the tunnel");
        }
    }

    @Test
    void anOriginThatDoesNotUpgradeAnswersAsUsual() throws Exception {
        try (RawClient client = new RawClient(proxy.port("forward"))) {
            client.send("GET http://127.0.0.1:" + plainOrigin.port() + "/no-upgrade HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            String head = client.readHead();
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(new String(client.readExactly("hello /no-upgrade\n".length()), StandardCharsets.US_ASCII))
                    .isEqualTo("hello /no-upgrade\n");
        }
    }

    /** A short text frame from a client: masked, as RFC 6455 requires of clients. */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** A short unmasked text frame from the server. */
    private static String readText(RawClient client) throws Exception {
        byte[] header = client.readExactly(2);
        assertThat(header[0] & 0xff).isEqualTo(0x81);
        return new String(client.readExactly(header[1] & 0x7f), StandardCharsets.UTF_8);
    }
}
