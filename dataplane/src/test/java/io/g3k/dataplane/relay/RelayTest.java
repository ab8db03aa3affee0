package io.g3k.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.Yaml;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte relay through tcp_stream against a real TCP peer: everything arrives intact, a half-close (FIN after a
 * large upload) reaches the peer only after the last byte, and the peer can still answer afterwards.
 */
class RelayTest {
    @TempDir
    Path dir;

    @Test
    void halfCloseComesAfterTheLastByteAndTheAnswerStillFlows() throws Exception {
        try (ServerSocket peer = new ServerSocket()) {
            peer.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofVirtual().start(() -> {
                try (Socket s = peer.accept()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[65536];
                    long total = 0;
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        sha.update(buf, 0, n);
                        total += n;
                    }
                    OutputStream out = s.getOutputStream();
                    out.write((total + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RunningProxy proxy = RunningProxy.start(dir, Yaml.withServers("""
                      - name: tcp
                        escaper: default
                        type: tcp_stream
                        listen: "127.0.0.1:0"
                        proxy_pass: "127.0.0.1:%d"
                    """.formatted(peer.getLocalPort())));
                 Socket client = new Socket("127.0.0.1", proxy.port("tcp"))) {
                byte[] data = new byte[16 << 20];
                new Random(42).nextBytes(data);
                client.getOutputStream().write(data);
                client.shutdownOutput();
                String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
                assertThat(answer).isEqualTo(data.length + " " + expected);
            }
        }
    }
}
