package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 floods against the HTTP/2 server of TLS interception (Netty's codec with g3k's settings), each from a client
 * of its own through a CONNECT tunnel, frames written by hand: rapid reset (CVE-2023-44487), resets the server is made
 * to send (MadeYouReset, CVE-2025-55163), a CONTINUATION flood and a PING flood from a client that reads nothing. Each
 * ends in the proxy's GOAWAY or its close, few requests (none for CONTINUATION) reach the origin, no task stays
 * behind, and the proxy goes on serving.
 */
class Http2FloodTest {
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int ENHANCE_YOUR_CALM = 0xb;

    @TempDir
    static Path dir;
    static TestPki originPki;
    static TestPki auditPki;
    static TestOrigin origin;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        originPki = new TestPki(Files.createDirectories(dir.resolve("origin")), "g3k origin CA");
        auditPki = new TestPki(Files.createDirectories(dir.resolve("audit")), "g3k interception CA");
        origin = TestOrigin.https(originPki);
        proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                auditor:
                  - name: intercept
                    tls_cert_generator:
                      ca_certificate: %s
                      ca_private_key: %s
                    tls_interception_client:
                      ca_certificate: %s
                server:
                  - {name: http, type: http_proxy, escaper: default, auditor: intercept, listen: "127.0.0.1:0"}
                """.formatted(auditPki.caPem, auditPki.caKeyPem, originPki.caPem));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    @AfterEach
    void theProxyGoesOnServingWithNoTaskLeft() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> proxy.aliveTasks() == 0);
        var after = Curl.run("-s", "--http2", "-x", "http://127.0.0.1:" + proxy.port("http"), "--cacert",
                auditPki.caPem.toString(), "https://localhost:" + origin.port() + "/after");
        assertThat(after.out()).as(after.err()).isEqualTo("hello /after\n");
    }

    /** Rapid reset: 5,000 streams, each opened and at once cancelled by the client. */
    @Test
    void rapidResetEndsInGoawayWithFewRequestsReachingTheOrigin() throws Exception {
        floodEndsInGoawayWithFewRequestsReachingTheOrigin(stream -> concat(
                frame(HEADERS, END_STREAM | END_HEADERS, stream, requestHead("/reset")),
                frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(8).array()))); // CANCEL
    }

    /** MadeYouReset: streams opened, then each given a zero window increment, which the server answers with a reset. */
    @Test
    void resetsTheClientMakesTheServerSendEndInGoaway() throws Exception {
        floodEndsInGoawayWithFewRequestsReachingTheOrigin(stream -> concat(
                frame(HEADERS, END_HEADERS, stream, requestHead("/made-you-reset")),
                frame(WINDOW_UPDATE, 0, stream, new byte[4]))); // an increment of 0: a stream error
    }

    /** The frames of 5,000 streams, all written at once: GOAWAY ENHANCE_YOUR_CALM, and Netty's window of 200 resets. */
    private static void floodEndsInGoawayWithFewRequestsReachingTheOrigin(IntFunction<byte[]> framesOfStream)
            throws Exception {
        int before = origin.requests.get();
        try (SSLSocket h2 = h2Connection()) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int stream = 1; stream < 10_000; stream += 2) {
                flood.write(framesOfStream.apply(stream));
            }
            writeUntilClosed(h2.getOutputStream(), flood.toByteArray());
            assertThat(goawayError(h2.getInputStream())).isEqualTo(ENHANCE_YOUR_CALM);
        }
        assertThat(origin.requests.get() - before).isLessThanOrEqualTo(200);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** A header block that never ends: 4 MiB of CONTINUATION frames after a HEADERS frame without END_HEADERS. */
    @Test
    void aContinuationFloodIsCutOffAndReachesNothing() throws Exception {
        int before = origin.requests.get();
        try (SSLSocket h2 = h2Connection()) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            flood.write(frame(HEADERS, END_STREAM, 1, requestHead("/continued")));
            byte[] filler = literal("x-flood", "y".repeat(8_000));
            while (flood.size() < 4 << 20) {
                flood.write(frame(CONTINUATION, 0, 1, filler));
            }
            boolean cut = writeUntilClosed(h2.getOutputStream(), flood.toByteArray());
            assertThat(cut || goawayError(h2.getInputStream()) >= 0).as("the proxy cut the header block off").isTrue();
        }
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    /**
     * A PING flood from a client that reads nothing: once the socket buffers on the way hold all they can, the
     * acknowledgements the proxy owes pile up until Netty's bound on queued control frames (10,000), and then the
     * proxy ends the connection (GOAWAY ENHANCE_YOUR_CALM) instead of buffering more. Two million PINGs (34 MB) fill
     * any loopback buffers.
     */
    @Test
    void aPingFloodFromAClientThatReadsNothingIsCutOff() throws Exception {
        try (SSLSocket h2 = h2Connection()) {
            ByteArrayOutputStream pings = new ByteArrayOutputStream();
            byte[] ping = frame(PING, 0, 0, new byte[8]);
            for (int i = 0; i < 10_000; i++) {
                pings.write(ping);
            }
            boolean cut = false;
            for (int i = 0; i < 200 && !cut; i++) {
                cut = writeUntilClosed(h2.getOutputStream(), pings.toByteArray());
            }
            if (!cut) {
                // cut after the writes: its GOAWAY comes behind the acknowledgements it could send, unless the reset
                // of a socket closed with PINGs unread overtakes it (-1); a connection kept open times the read out
                assertThat(goawayError(h2.getInputStream())).isIn(ENHANCE_YOUR_CALM, -1);
            }
        }
    }

    /** A TLS connection to the origin through the proxy's CONNECT tunnel, speaking h2 (ALPN) with the forged side. */
    private static SSLSocket h2Connection() throws IOException {
        Socket tunnel = new Socket("127.0.0.1", proxy.port("http"));
        tunnel.setSoTimeout(10_000);
        String target = "localhost:" + origin.port();
        tunnel.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(head(tunnel.getInputStream())).startsWith("HTTP/1.1 200");
        SSLSocket tls = (SSLSocket) auditPki.clientContext().getSocketFactory()
                .createSocket(tunnel, "localhost", origin.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.startHandshake();
        assertThat(tls.getApplicationProtocol()).isEqualTo("h2");
        OutputStream out = tls.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.write(frame(SETTINGS, 0, 0, new byte[0]));
        return tls;
    }

    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Writes {@code bytes}; whether the proxy closed the connection before all were taken. */
    private static boolean writeUntilClosed(OutputStream out, byte[] bytes) {
        try {
            for (int at = 0; at < bytes.length; at += 16_384) {
                out.write(bytes, at, Math.min(16_384, bytes.length - at));
            }
            out.flush();
            return false;
        } catch (IOException closed) {
            return true;
        }
    }

    /** Reads frames until a GOAWAY: its error code; -1 if the connection ended without one. */
    private static int goawayError(InputStream in) throws IOException {
        DataInputStream frames = new DataInputStream(in);
        try {
            while (true) {
                int length = (frames.readUnsignedShort() << 8) | frames.readUnsignedByte();
                int type = frames.readUnsignedByte();
                frames.readUnsignedByte(); // flags
                frames.readInt(); // stream
                byte[] payload = frames.readNBytes(length);
                if (type == GOAWAY) {
                    return ByteBuffer.wrap(payload, 4, 4).getInt();
                }
            }
        } catch (EOFException | SocketException ended) {
            return -1;
        }
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        return ByteBuffer.allocate(9 + payload.length).put((byte) (payload.length >>> 16))
                .putShort((short) payload.length).put((byte) type).put((byte) flags).putInt(stream).put(payload).array();
    }

    /** GET https://localhost:port{path} in HPACK: the static table's :method, :scheme and :path, :authority literal. */
    private static byte[] requestHead(String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(new byte[] {(byte) 0x82, (byte) 0x87}); // :method GET, :scheme https
        block.writeBytes(literalIndexedName(4, path)); // :path
        block.writeBytes(literalIndexedName(1, "localhost:" + origin.port())); // :authority
        return block.toByteArray();
    }

    /** A literal header field without indexing, its name at {@code index} in the static table (index < 15). */
    private static byte[] literalIndexedName(int index, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(index);
        out.writeBytes(string(value));
        return out.toByteArray();
    }

    /** A literal header field without indexing, with a new name. */
    private static byte[] literal(String name, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(string(name));
        out.writeBytes(string(value));
        return out.toByteArray();
    }

    /** An HPACK string, not Huffman-coded: its length as a 7-bit-prefix integer, then its bytes. */
    private static byte[] string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = bytes.length;
        if (length < 127) {
            out.write(length);
        } else {
            out.write(127);
            length -= 127;
            while (length >= 128) {
                out.write((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            out.write(length);
        }
        out.writeBytes(bytes);
        return out.toByteArray();
    }
}
