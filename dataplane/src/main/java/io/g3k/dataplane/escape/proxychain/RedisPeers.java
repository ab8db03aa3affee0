package io.g3k.dataplane.escape.proxychain;

import io.g3k.config.escaper.ProxyFloatEscaperConfig.RedisSource;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a redis set over RESP (AUTH, SELECT, SMEMBERS): the proxy_float peers, one JSON object per member. */
final class RedisPeers {
    private RedisPeers() {}

    static List<String> members(RedisSource source) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(source.addr().host(), source.addr().port()), 3000);
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (source.password().isPresent()) {
                expectOk(command(out, in, "AUTH", source.password().get()));
            }
            expectOk(command(out, in, "SELECT", String.valueOf(source.db())));
            Object reply = command(out, in, "SMEMBERS", source.setsKey());
            List<String> members = new ArrayList<>();
            if (reply instanceof List<?> list) {
                list.forEach(m -> members.add(String.valueOf(m)));
            } else {
                throw new IOException("unexpected redis reply " + reply);
            }
            return members;
        }
    }

    private static void expectOk(Object reply) throws IOException {
        if (!"OK".equals(reply)) {
            throw new IOException("redis said " + reply);
        }
    }

    private static Object command(OutputStream out, InputStream in, String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply(in);
    }

    private static Object reply(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new IOException("redis error: " + line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(length + 2);
                yield new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                yield items;
            }
            default -> throw new IOException("bad redis reply");
        };
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("redis closed the connection");
            }
            sb.append((char) c);
        }
        in.read();
        return sb.toString();
    }
}
