package io.g3k.dataplane.util;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A fixed ASCII text kept off-heap, to be copied into outgoing direct buffers. Copying a {@code byte[]} into a
 * pooled direct buffer goes through an NIO view per call (Netty 4.2's adaptive buffers); off-heap to off-heap is one
 * memory copy.
 */
public final class ConstantBytes {
    private final ByteBuf bytes;

    public ConstantBytes(String ascii) {
        byte[] raw = ascii.getBytes(StandardCharsets.US_ASCII);
        this.bytes = Unpooled.unreleasableBuffer(Unpooled.directBuffer(raw.length).writeBytes(raw)).asReadOnly();
    }

    /** Appends the text to {@code out}. */
    public ByteBuf writeTo(ByteBuf out) {
        return out.writeBytes(bytes, 0, bytes.readableBytes());
    }
}
