package io.g3k.dataplane.util;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The msgpack subset the g3proxy helper protocols use (route query, IP locate): maps with string (or integer id)
 * keys; strings,
 * binaries, integers, booleans, nil and arrays as values. Decoding is strict: truncated or unsupported input
 * throws IllegalArgumentException, so a malformed datagram is dropped, never half-read.
 */
public final class MsgPack {
    private MsgPack() {}

    public static byte[] encode(Map<String, Object> map) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, map);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value) {
        switch (value) {
            case null -> out.write(0xc0);
            case Boolean b -> out.write(b ? 0xc3 : 0xc2);
            case String s -> {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                if (bytes.length < 32) {
                    out.write(0xa0 | bytes.length);
                } else {
                    out.write(0xda);
                    out.write(bytes.length >>> 8);
                    out.write(bytes.length);
                }
                out.writeBytes(bytes);
            }
            case byte[] bin -> {
                out.write(0xc4);
                out.write(bin.length);
                out.writeBytes(bin);
            }
            case Number n -> {
                long v = n.longValue();
                if (v >= 0 && v < 128) {
                    out.write((int) v);
                } else {
                    out.write(0xd3);
                    out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
                }
            }
            case List<?> list -> {
                out.write(0xdc);
                out.write(list.size() >>> 8);
                out.write(list.size());
                list.forEach(v -> write(out, v));
            }
            case Map<?, ?> map -> {
                out.write(0xde);
                out.write(map.size() >>> 8);
                out.write(map.size());
                map.forEach((k, v) -> {
                    write(out, String.valueOf(k));
                    write(out, v);
                });
            }
            default -> throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName());
        }
    }

    /** Decodes one map. */
    public static Map<String, Object> decodeMap(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        try {
            if (!(read(in) instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("not a map");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) map;
            return out;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated msgpack");
        }
    }

    private static Object read(ByteBuffer in) {
        int b = in.get() & 0xff;
        if (b <= 0x7f) {
            return (long) b;
        }
        if (b >= 0xe0) {
            return (long) (byte) b;
        }
        if ((b & 0xe0) == 0xa0) {
            return string(in, b & 0x1f);
        }
        if ((b & 0xf0) == 0x80) {
            return map(in, b & 0x0f);
        }
        if ((b & 0xf0) == 0x90) {
            return array(in, b & 0x0f);
        }
        return switch (b) {
            case 0xc0 -> null;
            case 0xc2 -> false;
            case 0xc3 -> true;
            case 0xc4 -> bytes(in, in.get() & 0xff);
            case 0xc5 -> bytes(in, in.getShort() & 0xffff);
            case 0xcc -> (long) (in.get() & 0xff);
            case 0xcd -> (long) (in.getShort() & 0xffff);
            case 0xce -> in.getInt() & 0xffffffffL;
            case 0xcf, 0xd3 -> in.getLong();
            case 0xd0 -> (long) in.get();
            case 0xd1 -> (long) in.getShort();
            case 0xd2 -> (long) in.getInt();
            case 0xd9 -> string(in, in.get() & 0xff);
            case 0xda -> string(in, in.getShort() & 0xffff);
            case 0xdc -> array(in, in.getShort() & 0xffff);
            case 0xde -> map(in, in.getShort() & 0xffff);
            default -> throw new IllegalArgumentException(String.format("unsupported msgpack type 0x%02x", b));
        };
    }

    private static String string(ByteBuffer in, int length) {
        return new String(bytes(in, length), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static List<Object> array(ByteBuffer in, int size) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(read(in));
        }
        return out;
    }

    private static Map<String, Object> map(ByteBuffer in, int size) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            // g3proxy's helper protocols allow numeric key ids as well as names
            Object key = read(in);
            if (!(key instanceof String) && !(key instanceof Long)) {
                throw new IllegalArgumentException("map keys must be strings or integers");
            }
            out.put(String.valueOf(key), read(in));
        }
        return out;
    }
}
