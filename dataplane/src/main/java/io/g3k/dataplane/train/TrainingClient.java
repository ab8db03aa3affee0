package io.g3k.dataplane.train;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** One round of each training load: real sockets through the proxy, every answer checked. */
final class TrainingClient {
    private static final int KEEP_ALIVE_REQUESTS = 50;
    private static final int TUNNELLED_REQUESTS = 10;

    private final int origin;
    private final SSLContext trustAll;

    TrainingClient(int origin) throws Exception {
        this.origin = origin;
        trustAll = SSLContext.getInstance("TLS");
        // the proxy's certificate is the throw-away one the training run made
        trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    }

    /** Absolute-form requests on one kept-alive connection (http_proxy forward). */
    int forward(int proxy) throws IOException {
        try (Socket s = connect(proxy)) {
            return requests(s, KEEP_ALIVE_REQUESTS, "http://127.0.0.1:" + origin + "/", false);
        }
    }

    /** A connection for one request, as a browser without keep-alive does. */
    int forwardOnce(int proxy) throws IOException {
        try (Socket s = connect(proxy)) {
            return requests(s, 1, "http://127.0.0.1:" + origin + "/", true);
        }
    }

    /** CONNECT, then requests through the tunnel. */
    int connectTunnel(int proxy) throws IOException {
        try (Socket s = connect(proxy)) {
            s.getOutputStream().write(("CONNECT 127.0.0.1:" + origin + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            expect(readHead(s.getInputStream()), "HTTP/1.1 200", "CONNECT");
            return requests(s, TUNNELLED_REQUESTS, "/", false);
        }
    }

    /** SOCKS5 without authentication, CONNECT to an IPv4 address, then requests through it. */
    int socks5(int proxy) throws IOException {
        try (Socket s = connect(proxy)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[] {5, 1, 0});
            if (in.readNBytes(2)[1] != 0) {
                throw new IOException("SOCKS5: no-auth method refused");
            }
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (origin >> 8), (byte) origin});
            byte[] reply = in.readNBytes(10);
            if (reply.length < 10 || reply[1] != 0) {
                throw new IOException("SOCKS5: CONNECT refused");
            }
            return requests(s, TUNNELLED_REQUESTS, "/", false);
        }
    }

    /** Origin-form requests on one kept-alive connection (http_rproxy), or one request a connection. */
    int reverse(int proxy, boolean once) throws IOException {
        try (Socket s = connect(proxy)) {
            return requests(s, once ? 1 : KEEP_ALIVE_REQUESTS, "/", once);
        }
    }

    /** Plain bytes through a port mapping (tcp_stream). */
    int stream(int proxy) throws IOException {
        try (Socket s = connect(proxy)) {
            return requests(s, TUNNELLED_REQUESTS, "/", false);
        }
    }

    /** A full TLS handshake with the proxy, then requests inside (tls_stream). */
    int tls(int proxy) throws IOException {
        try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", proxy)) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return requests(s, TUNNELLED_REQUESTS, "/", false);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        return s;
    }

    private int requests(Socket s, int count, String target, boolean close) throws IOException {
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        // buffered: readHead takes a byte at a time (the replies before this point are read exactly, unbuffered)
        InputStream in = new BufferedInputStream(s.getInputStream());
        for (int i = 0; i < count; i++) {
            s.getOutputStream().write(request);
            String head = readHead(in);
            expect(head, "HTTP/1.1 200", "GET " + target);
            int length = contentLength(head);
            if (!new String(in.readNBytes(length), StandardCharsets.ISO_8859_1).equals("hello\n")) {
                throw new IOException("GET " + target + ": body cut short");
            }
        }
        return count;
    }

    /** A message head up to and including its blank line, or null at a clean end of stream. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int b;
        int tail = 0;
        while ((b = in.read()) >= 0) {
            head.write(b);
            tail = (tail << 8) | b;
            if (tail == 0x0d0a0d0a) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 16384) {
                throw new IOException("message head over 16 KiB");
            }
        }
        if (head.size() == 0) {
            return null;
        }
        throw new IOException("connection closed inside a message head");
    }

    private static void expect(String head, String prefix, String what) throws IOException {
        if (head == null || !head.startsWith(prefix)) {
            throw new IOException(what + ": " + (head == null ? "connection closed" : head.lines().findFirst().orElse("")));
        }
    }

    private static int contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        throw new IOException("response without Content-Length");
    }
}
