package io.g3k.dataplane.support;

import java.io.IOException;
import java.io.OutputStream;

/** A peer that sends and sends, to fill every buffer on the way to a reader that stopped. */
public final class Flood {
    private static final byte[] CHUNK = new byte[64 * 1024];

    private Flood() {}

    /** Writes {@code bytes} (64 KiB at a time), or without end with {@link Long#MAX_VALUE}: until the socket closes. */
    public static void write(OutputStream out, long bytes) throws IOException {
        for (long sent = 0; sent < bytes; sent += CHUNK.length) {
            out.write(CHUNK);
        }
    }
}
