package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.WebSocketOrigin;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An auditor's inspect policies by target: SMTP and IMAP found in a tunnel are relayed unless blocked (the client
 * then gets the protocol's own refusal and nothing of the target), a WebSocket upgrade is answered 403 when blocked.
 */
class InspectPolicyTest {
    @TempDir
    static Path dir;
    static RunningProxy proxy;
    static WebSocketOrigin wsOrigin;

    @BeforeAll
    static void start() throws Exception {
        wsOrigin = new WebSocketOrigin();
        proxy = RunningProxy.start(dir, """
                resolver:
                  - {name: default, type: c-ares, server: 127.0.0.1:9}
                escaper:
                  - {name: default, type: direct_fixed, resolver: default,
                     egress_network_filter: {default: allow, allow: 127.0.0.0/8}}
                auditor:
                  - name: policy
                    smtp_inspect_policy: {default: intercept, subnet_match: {block: 127.0.0.2/32}}
                    imap_inspect_policy: block
                    websocket_inspect_policy: {exact_match: {block: [127.0.0.1]}}
                server:
                  - {name: http, type: http_proxy, escaper: default, auditor: policy, listen: "127.0.0.1:0"}
                """);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        wsOrigin.close();
    }

    @Test
    void smtpIsRelayedUnlessItsTargetIsBlocked() throws Exception {
        assertThat(throughTunnel("127.0.0.1", "220 smtp.test ESMTP\r\n")).endsWith("\r\n\r\n220 smtp.test ESMTP\r\n");
        assertThat(throughTunnel("127.0.0.2", "220 smtp.test ESMTP\r\n"))
                .endsWith("\r\n\r\n554 5.7.1 blocked by the proxy's smtp_inspect_policy\r\n");
    }

    @Test
    void imapIsBlockedEverywhere() throws Exception {
        assertThat(throughTunnel("127.0.0.1", "* OK imap.test ready\r\n"))
                .endsWith("\r\n\r\n* BYE blocked by the proxy's imap_inspect_policy\r\n").doesNotContain("imap.test");
    }

    @Test
    void aBlockedWebSocketUpgradeIs403AndNeverReachesTheTarget() throws Exception {
        int before = wsOrigin.handshakes.get();
        try (RawClient client = new RawClient(proxy.port("http"))) {
            client.send("GET http://127.0.0.1:" + wsOrigin.port() + "/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertThat(client.readHead()).startsWith("HTTP/1.1 403");
        }
        assertThat(wsOrigin.handshakes.get()).isEqualTo(before);
    }

    /** CONNECT to a target on {@code ip} that greets with {@code banner}; what the client got until the close. */
    private static String throughTunnel(String ip, String banner) throws Exception {
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = target.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(banner.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().read();
                } catch (Exception ignored) {
                    // the client's side tells
                }
            });
            try (RawClient client = new RawClient(proxy.port("http"))) {
                client.send("CONNECT " + ip + ":" + target.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n\r\n");
                String head = client.readHead();
                StringBuilder rest = new StringBuilder(head);
                client.socket().setSoTimeout(3000);
                var in = client.socket().getInputStream();
                for (int b; rest.length() < head.length() + banner.length() + 64 && (b = in.read()) >= 0; ) {
                    rest.append((char) b);
                    if (rest.toString().endsWith("\r\n") && rest.length() > head.length()) {
                        break;
                    }
                }
                return rest.toString();
            }
        }
    }
}
