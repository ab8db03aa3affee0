package io.g3k.dataplane.server.sniproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Reads the server name from a TLS ClientHello without consuming it (the bytes still go to the upstream).
 * Handles a ClientHello spread over several records. Strict: one host_name entry, not empty, printable ASCII only.
 */
final class ClientHelloSni {
    /** The outcome: need more bytes, a name (or null when the client sent no SNI), or invalid. */
    record Result(boolean complete, boolean valid, String name) {
        static final Result MORE = new Result(false, true, null);
        static final Result INVALID = new Result(true, false, null);
    }

    private ClientHelloSni() {}

    static Result parse(ByteBuf in) {
        ByteBuf hello = Unpooled.buffer();
        try {
            int pos = in.readerIndex();
            int needed = -1;
            while (needed < 0 || hello.readableBytes() < needed) {
                if (in.writerIndex() - pos < 5) {
                    return Result.MORE;
                }
                if (in.getUnsignedByte(pos) != 0x16 || in.getUnsignedByte(pos + 1) != 3) {
                    return Result.INVALID;
                }
                int length = in.getUnsignedShort(pos + 3);
                if (length == 0 || length > 16384 + 2048) {
                    return Result.INVALID;
                }
                if (in.writerIndex() - pos - 5 < length) {
                    return Result.MORE;
                }
                hello.writeBytes(in, pos + 5, length);
                pos += 5 + length;
                if (needed < 0 && hello.readableBytes() >= 4) {
                    if (hello.getUnsignedByte(0) != 1) {
                        return Result.INVALID;
                    }
                    needed = 4 + hello.getUnsignedMedium(1);
                }
            }
            return extensions(hello.slice(4, needed - 4));
        } catch (IndexOutOfBoundsException e) {
            return Result.INVALID;
        } finally {
            hello.release();
        }
    }

    private static Result extensions(ByteBuf body) {
        body.skipBytes(2 + 32);
        body.skipBytes(body.readUnsignedByte());
        body.skipBytes(body.readUnsignedShort());
        body.skipBytes(body.readUnsignedByte());
        if (!body.isReadable()) {
            return new Result(true, true, null);
        }
        ByteBuf exts = body.readSlice(body.readUnsignedShort());
        String name = null;
        while (exts.isReadable()) {
            int type = exts.readUnsignedShort();
            ByteBuf data = exts.readSlice(exts.readUnsignedShort());
            if (type != 0) {
                continue;
            }
            if (name != null) {
                return Result.INVALID;
            }
            ByteBuf list = data.readSlice(data.readUnsignedShort());
            while (list.isReadable()) {
                int nameType = list.readUnsignedByte();
                ByteBuf value = list.readSlice(list.readUnsignedShort());
                if (nameType != 0) {
                    continue;
                }
                if (name != null || !value.isReadable()) { // RFC 6066: HostName is 1 byte at least
                    return Result.INVALID;
                }
                for (int i = value.readerIndex(); i < value.writerIndex(); i++) {
                    int c = value.getUnsignedByte(i);
                    if (c <= 0x20 || c >= 0x7f) {
                        return Result.INVALID;
                    }
                }
                name = value.toString(StandardCharsets.US_ASCII);
            }
            if (name == null) {
                return Result.INVALID;
            }
        }
        return new Result(true, true, name);
    }
}
