package io.g3k.dataplane.train;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The origin of a training run: answers every HTTP/1.1 request with a six-byte body, keeping the connection
 * unless the request says {@code Connection: close}. Blocking sockets on virtual threads: it only has to be
 * correct, the code being trained is the proxy's.
 */
final class TrainingOrigin implements AutoCloseable {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CLOSING = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n"
            .getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocket listener;

    TrainingOrigin() throws IOException {
        listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("g3k-train-origin").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            String head;
            while ((head = TrainingClient.readHead(in)) != null) {
                boolean close = head.toLowerCase().contains("\r\nconnection: close");
                out.write(close ? CLOSING : RESPONSE);
                if (close) {
                    return;
                }
            }
        } catch (IOException peerGone) {
            // the proxy closed its side: nothing to answer
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
