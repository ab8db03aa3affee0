package io.g3k.dataplane.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket for the inputs no well-behaved client would send. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;

    public RawClient(int port) throws IOException {
        this("127.0.0.1", port);
    }

    public RawClient(String host, int port) throws IOException {
        this(new Socket(host, port));
    }

    /** Either end of a connection, an accepted one too. */
    public RawClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public byte[] readExactly(int n) throws IOException {
        return socket.getInputStream().readNBytes(n);
    }

    /** One response head, through its blank line; fails if the peer closes inside it. */
    public String readHead() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed inside a response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything until the peer closes; fails the test by timeout if it never does. */
    public String readUntilClosed() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("peer did not close the connection; got: " + out.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException reset) {
            // a reset after the reply also counts as closed
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
