package io.g3k.dataplane.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A minimal HTTP/1.1 client for the control interface, over a Unix socket or TCP (plain JDK, no Netty). */
public final class ControlClient {
    public record Response(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final SocketAddress address;
    private final Optional<String> token;

    public ControlClient(SocketAddress address, Optional<String> token) {
        this.address = address;
        this.token = token;
    }

    public Response call(String method, String path, byte[] body) throws IOException {
        try (SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            ch.connect(address);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: g3k\r\nConnection: close\r\n");
            token.ifPresent(t -> head.append("Authorization: Bearer ").append(t).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            ch.write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.UTF_8)));
            ch.write(ByteBuffer.wrap(body));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String raw = out.toString(StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            if (!raw.startsWith("HTTP/1.1 ") || end < 0) {
                throw new IOException("not a control interface answer from " + address);
            }
            return new Response(Integer.parseInt(raw.substring(9, 12)), raw.substring(end + 4));
        }
    }
}
