package io.g3k.dataplane.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an upstream's HTTP/1.x responses without building header objects (a forward or reverse proxy's hot path):
 * the head is checked and parsed in place (status, framing, keep-alive) and passed on as bytes with the hop-by-hop
 * headers left out; the body is passed on as slices of what was read, chunked framing included, so it reaches the
 * client as it came. Emits a {@link Head}, then {@link Body} parts, the last one marked. A malformed or oversized
 * head, bad framing or bytes nobody asked for raise a {@link DecoderException}.
 */
final class RawResponseDecoder extends ByteToMessageDecoder {
    /**
     * A response head: {@code bytes} holds the status line and the end-to-end headers, each ending in CRLF, without
     * the blank line (the exchange adds its Connection header and the end). {@code delimited}: the body's end can be
     * told without a close. {@code keepAlive}: the upstream connection may serve another request.
     */
    record Head(int status, boolean delimited, boolean keepAlive, ByteBuf bytes) {
        boolean interim() {
            return status / 100 == 1;
        }
    }

    /** Body bytes as they came; {@code last} ends the response. */
    record Body(ByteBuf bytes, boolean last) {}

    private static final byte[] CRLF = {'\r', '\n'};

    /** UPGRADED: a 101 answered an upgrade request; what follows is the new protocol, left for a relay to take. */
    private enum State { IDLE, HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, FAILED, UPGRADED }

    /** A body this small gets room behind its head: the exchange sends both as one buffer. */
    static final int SMALL_BODY = 2048;
    private final int maxHeaderSize;
    private final int maxBodyLine;
    private State state = State.IDLE;
    private boolean bodyless;
    private boolean upgrading;
    private long remaining;
    private int trailerBytes;
    private int scanned;
    /** The usual head, copied out of the read buffers to be parsed; reused, as is what it parses into. */
    private final byte[] headBytes = new byte[1024];
    private final ParsedHead parsed = new ParsedHead();

    /** {@code maxBodyLine}: the longest chunk-size line ({@code body_line_max_length}). */
    RawResponseDecoder(int maxHeaderSize, int maxBodyLine) {
        this.maxHeaderSize = maxHeaderSize;
        this.maxBodyLine = maxBodyLine;
    }

    /**
     * A request went out; {@code bodyless}: its response has no body whatever it says (HEAD); {@code upgrading}: it
     * asked for a protocol upgrade, so a 101 ends HTTP on this connection.
     */
    void expect(boolean bodyless, boolean upgrading) {
        this.bodyless = bodyless;
        this.upgrading = upgrading;
        if (state == State.IDLE) {
            state = State.HEAD;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            read(ctx, in, out);
        } catch (DecoderException e) {
            state = State.FAILED; // the connection is closing: nothing more is read from it
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void read(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> throw new DecoderException("bytes from the upstream with no request outstanding");
                case HEAD -> {
                    if (!head(ctx.alloc(), in, out)) {
                        return;
                    }
                }
                case LENGTH -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    remaining -= n;
                    end(out, in.readRetainedSlice(n), remaining == 0);
                }
                case UNTIL_CLOSE -> out.add(new Body(in.readRetainedSlice(in.readableBytes()), false));
                case FAILED -> in.skipBytes(in.readableBytes());
                case UPGRADED -> {
                    return; // the bytes stay buffered; removing this decoder passes them on
                }
                default -> {
                    int start = in.readerIndex();
                    boolean done = chunked(in);
                    if (in.readerIndex() > start || done) {
                        ByteBuf part = in.retainedSlice(start, in.readerIndex() - start);
                        end(out, part, done);
                    }
                    if (!done && in.isReadable()) {
                        return; // an incomplete chunk line or CRLF: wait for the rest
                    }
                }
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (state == State.UNTIL_CLOSE) {
            end(out, Unpooled.EMPTY_BUFFER, true);
        }
    }

    private void end(List<Object> out, ByteBuf part, boolean last) {
        out.add(new Body(part, last));
        if (last) {
            state = State.IDLE;
        }
    }

    // ---- the head ---------------------------------------------------------------------------------------------

    /** Parses a complete head, if it is in, and emits it (and the empty body of a bodyless response). */
    private boolean head(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        int end = headEnd(in);
        if (end < 0 ? in.readableBytes() > maxHeaderSize : end - in.readerIndex() > maxHeaderSize) {
            throw new DecoderException("response head larger than " + maxHeaderSize + " bytes");
        }
        if (end < 0) {
            return false;
        }
        scanned = 0;
        int size = end - in.readerIndex();
        // a larger head gets an array of its own: a connection kept idle holds 1 KiB, not its largest head
        byte[] copy = size <= headBytes.length ? headBytes : new byte[size];
        in.readBytes(copy, 0, size);
        parsed.parse(copy, size);
        // room for the lines the exchange adds, and for a small body, which it sends in the same write
        int room = parsed.length >= 0 && parsed.length <= SMALL_BODY ? (int) parsed.length : 0;
        ByteBuf bytes = alloc.buffer(size + 64 + room);
        parsed.writeEndToEnd(bytes);
        boolean noBody = bodyless || parsed.status / 100 == 1 || parsed.status == 204 || parsed.status == 304;
        boolean delimited = noBody || parsed.chunked || parsed.length >= 0;
        out.add(new Head(parsed.status, delimited, parsed.keepAlive && delimited, bytes));
        if (parsed.status == 101 && upgrading) {
            state = State.UPGRADED;
            return true;
        }
        if (parsed.status / 100 == 1) {
            return true; // an interim response: the final one follows
        }
        if (noBody || parsed.length == 0) {
            end(out, Unpooled.EMPTY_BUFFER, true);
        } else if (parsed.chunked) {
            state = State.CHUNK_SIZE;
            trailerBytes = 0;
        } else if (parsed.length > 0) {
            state = State.LENGTH;
            remaining = parsed.length;
        } else {
            state = State.UNTIL_CLOSE;
        }
        return true;
    }

    /** The index just past the blank line that ends the head, or -1 if it has not come yet. */
    private int headEnd(ByteBuf in) {
        int from = in.readerIndex() + scanned;
        int limit = in.writerIndex();
        while (from < limit) {
            int lf = in.indexOf(from, limit, (byte) '\n');
            if (lf < 0) {
                break;
            }
            if (lf + 1 < limit && in.getByte(lf + 1) == '\n') {
                return lf + 2;
            }
            if (lf + 2 < limit && in.getByte(lf + 1) == '\r' && in.getByte(lf + 2) == '\n') {
                return lf + 3;
            }
            if (lf + 2 >= limit) {
                from = lf; // the blank line may be on its way: look at this LF again
                break;
            }
            from = lf + 1;
        }
        scanned = Math.max(0, from - in.readerIndex());
        return -1;
    }

    // ---- chunked framing ----------------------------------------------------------------------------------------

    /** Walks the chunked framing as far as it is in; true when the last chunk's trailers ended. */
    private boolean chunked(ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case CHUNK_SIZE -> {
                    int lf = lineEnd(in, maxBodyLine, "chunk size line");
                    if (lf < 0) {
                        return false;
                    }
                    long size = chunkSize(in, in.readerIndex(), lf);
                    in.readerIndex(lf + 1);
                    if (size == 0) {
                        state = State.TRAILERS;
                    } else {
                        remaining = size;
                        state = State.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case CHUNK_END -> { // CRLF (or a bare LF) right after the data
                    byte first = in.getByte(in.readerIndex());
                    if (first == '\r' && in.readableBytes() < 2) {
                        return false;
                    }
                    int length = first == '\n' ? 1 : first == '\r' && in.getByte(in.readerIndex() + 1) == '\n' ? 2 : 0;
                    if (length == 0) {
                        throw new DecoderException("chunk data longer than its size");
                    }
                    in.skipBytes(length);
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    int lf = lineEnd(in, maxHeaderSize - trailerBytes, "trailers");
                    if (lf < 0) {
                        return false;
                    }
                    int length = lf + 1 - in.readerIndex();
                    boolean blank = length == 1 || length == 2 && in.getByte(in.readerIndex()) == '\r';
                    trailerBytes += length;
                    in.readerIndex(lf + 1);
                    if (blank) {
                        return true;
                    }
                }
                default -> throw new IllegalStateException(state.toString());
            }
        }
        return false;
    }

    /** The index of the LF ending the line at the reader index, or -1 if it has not come; a line over max fails. */
    private static int lineEnd(ByteBuf in, int max, String what) {
        int limit = Math.min(in.writerIndex(), in.readerIndex() + max);
        int lf = in.indexOf(in.readerIndex(), limit, (byte) '\n');
        if (lf < 0 && in.readableBytes() >= max) {
            throw new DecoderException(what + " too long");
        }
        return lf;
    }

    /** The hex size at the start of a chunk line; extensions after ';' are passed on unread. */
    private static long chunkSize(ByteBuf in, int from, int lf) {
        long size = 0;
        int i = from;
        for (; i < lf; i++) {
            int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4) / 2) {
                throw new DecoderException("chunk size too large");
            }
            size = size << 4 | digit;
        }
        if (i == from) {
            throw new DecoderException("invalid chunk size");
        }
        for (; i < lf; i++) { // only whitespace or an extension may follow the size
            byte b = in.getByte(i);
            if (b == ';') {
                break;
            }
            if (b != ' ' && b != '\t' && !(b == '\r' && i == lf - 1)) {
                throw new DecoderException("invalid chunk size");
            }
        }
        return size;
    }

    /** What a response head says, read from its bytes, with the offsets of the lines that travel on. */
    static final class ParsedHead {
        private static final String[] HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "te", "trailer", "upgrade"};
        private static final boolean[] TOKEN = new boolean[256]; // RFC 9110 tchar
        /** Bytes a header value may not hold (a CR only just before its line's LF, which ends the value). */
        private static final boolean[] NOT_IN_VALUE = new boolean[256];

        static {
            for (int c = 0x21; c < 0x7f; c++) {
                TOKEN[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
            }
            for (int c : new int[] {0, '\r', '\n', 0x7f}) {
                NOT_IN_VALUE[c] = true;
            }
        }

        private byte[] head;
        private int size;
        int status;
        boolean http10;
        long length;
        boolean chunked;
        boolean transferEncoded;
        boolean keepAlive;
        private int[] lineOffsets = new int[2 * 16]; // start and end (before CRLF) of each line kept
        private int count;
        private int statusEnd; // the status line's text, before its CR LF
        private int statusLineEnd; // past its LF
        private boolean closeOption;
        private boolean keepAliveOption;
        private List<String> hopOptions; // other headers the Connection header names, lower case

        /** Parses the first {@code size} bytes of {@code head}, which it reads until the next parse. */
        void parse(byte[] head, int size) {
            this.head = head;
            this.size = size;
            length = -1;
            chunked = false;
            transferEncoded = false;
            count = 0;
            closeOption = false;
            keepAliveOption = false;
            hopOptions = null;
            statusLine();
            headers();
        }

        private void statusLine() {
            int lf = indexOf(0, '\n');
            int end = lf > 0 && head[lf - 1] == '\r' ? lf - 1 : lf;
            // HTTP/1.x SP 3DIGIT [SP reason]
            if (end < 12 || !startsWith(head, "HTTP/1.") || (head[7] != '0' && head[7] != '1') || head[8] != ' '
                    || !digit(head[9]) || !digit(head[10]) || !digit(head[11]) || end > 12 && head[12] != ' ') {
                throw new DecoderException("invalid status line");
            }
            for (int i = 13; i < end; i++) {
                if (head[i] < 0x20 && head[i] != '\t' || head[i] == 0x7f) {
                    throw new DecoderException("invalid status line");
                }
            }
            http10 = head[7] == '0';
            status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
            if (status < 100) {
                throw new DecoderException("invalid status code");
            }
            keepAlive = !http10;
            statusEnd = end;
            statusLineEnd = lf + 1;
        }

        private void headers() {
            int start = statusLineEnd;
            while (start < size && head[start] != '\n' && !(head[start] == '\r' && start + 1 < size
                    && head[start + 1] == '\n')) {
                start = header(start); // up to the blank line
            }
            if (chunked || transferEncoded) {
                // with Transfer-Encoding, Content-Length is void (RFC 9112 6.3) and the pair a smuggling sign:
                // pass the body on, but never reuse the connection
                if (length >= 0) {
                    keepAlive = false;
                }
                length = -1;
            }
            if (closeOption) {
                keepAlive = false;
            } else if (keepAliveOption && http10) {
                keepAlive = true;
            }
        }

        /**
         * Reads the header line at {@code start} in one pass (its name against the token table up to the colon, then
         * its value up to the line's end); returns where the next line starts.
         */
        private int header(int start) {
            if (head[start] == ' ' || head[start] == '\t') {
                throw new DecoderException("obsolete line folding in a response header");
            }
            int colon = start;
            while (colon < size && TOKEN[head[colon] & 0xff]) {
                colon++;
            }
            if (colon == size || head[colon] != ':') {
                throw new DecoderException(colon == size || head[colon] == '\r' || head[colon] == '\n'
                        ? "invalid response header line" : "invalid response header name");
            }
            if (colon == start) {
                throw new DecoderException("invalid response header line");
            }
            int lf = colon + 1;
            while (lf < size && !NOT_IN_VALUE[head[lf] & 0xff]) {
                lf++;
            }
            int end = lf; // the value's end, before CR LF or LF
            if (lf < size && head[lf] == '\r') {
                lf++;
            }
            if (lf == size || head[lf] != '\n') {
                throw new DecoderException("invalid response header value");
            }
            int valueStart = blanksFrom(colon + 1, end);
            value(start, colon - start, valueStart, trimEnd(valueStart, end));
            if (!hopByHop(start, colon - start)) {
                keep(start, end);
            }
            return lf + 1;
        }

        /** What the framing and connection headers say. */
        private void value(int name, int nameLength, int valueStart, int valueEnd) {
            if (nameIs(name, nameLength, "content-length")) {
                long value = contentLength(valueStart, valueEnd);
                if (length >= 0 && length != value) {
                    throw new DecoderException("conflicting Content-Length headers");
                }
                length = value;
            } else if (nameIs(name, nameLength, "transfer-encoding")) {
                transferEncoded = true;
                // chunked only as the last coding frames the body; anything else runs until the close
                int last = valueEnd;
                while (last > valueStart && head[last - 1] != ',') {
                    last--;
                }
                last = blanksFrom(last, valueEnd);
                chunked = nameIs(last, valueEnd - last, "chunked");
            } else if (nameIs(name, nameLength, "connection")) {
                connection(valueStart, valueEnd);
            }
        }

        /** The Connection header's options, read in place: its usual ones set flags, others name hop-by-hop headers. */
        private void connection(int from, int to) {
            for (int start = from; start < to; ) {
                int comma = start;
                while (comma < to && head[comma] != ',') {
                    comma++;
                }
                int token = blanksFrom(start, comma);
                int length = trimEnd(token, comma) - token;
                if (nameIs(token, length, "close")) {
                    closeOption = true;
                } else if (nameIs(token, length, "keep-alive")) {
                    keepAliveOption = true;
                } else if (length > 0 && !nameIs(token, length, "transfer-encoding")) {
                    if (hopOptions == null) {
                        hopOptions = new ArrayList<>(2);
                    }
                    hopOptions.add(new String(head, token, length, StandardCharsets.ISO_8859_1).toLowerCase());
                }
                start = comma + 1;
            }
        }

        /** The first index of [from, to) that is not a space or tab, or {@code to}. */
        private int blanksFrom(int from, int to) {
            while (from < to && (head[from] == ' ' || head[from] == '\t')) {
                from++;
            }
            return from;
        }

        /** The end of [from, to) without the spaces and tabs it ends with. */
        private int trimEnd(int from, int to) {
            while (to > from && (head[to - 1] == ' ' || head[to - 1] == '\t')) {
                to--;
            }
            return to;
        }

        private long contentLength(int from, int to) {
            if (from == to || to - from > 18) {
                throw new DecoderException("invalid Content-Length");
            }
            long value = 0;
            for (int i = from; i < to; i++) {
                if (!digit(head[i])) {
                    throw new DecoderException("invalid Content-Length");
                }
                value = value * 10 + (head[i] - '0');
            }
            return value;
        }

        private boolean hopByHop(int start, int nameLength) {
            for (String hop : HOP_BY_HOP) {
                if (nameIs(start, nameLength, hop)) {
                    return true;
                }
            }
            return false;
        }

        private void keep(int start, int end) {
            if (2 * count + 2 > lineOffsets.length) {
                lineOffsets = java.util.Arrays.copyOf(lineOffsets, lineOffsets.length * 2);
            }
            lineOffsets[2 * count] = start;
            lineOffsets[2 * count + 1] = end;
            count++;
        }

        /** The status line and the end-to-end headers, each line ending in CRLF: lines that follow each other go as one copy. */
        void writeEndToEnd(ByteBuf out) {
            int from = 0;
            int to = statusEnd; // the run [from, to) still to copy ends with a line's text
            for (int i = 0; i < count; i++) {
                int start = lineOffsets[2 * i];
                if (hopOptions != null && namedByConnection(start)) {
                    continue;
                }
                if (start != to + 2 || head[to] != '\r') { // not right after the run's CRLF
                    copyLines(out, from, to);
                    from = start;
                }
                to = lineOffsets[2 * i + 1];
            }
            copyLines(out, from, to);
        }

        /** Lines [from, to) of the head and the CRLF after them (a bare LF becomes CRLF). */
        private void copyLines(ByteBuf out, int from, int to) {
            if (head[to] == '\r') {
                out.writeBytes(head, from, to + 2 - from);
            } else {
                out.writeBytes(head, from, to - from).writeBytes(CRLF);
            }
        }

        /** A header the Connection header lists as hop-by-hop. */
        private boolean namedByConnection(int start) {
            int colon = indexOf(start, ':');
            for (String option : hopOptions) {
                if (nameIs(start, colon - start, option)) {
                    return true;
                }
            }
            return false;
        }

        private boolean nameIs(int start, int length, String lowerName) {
            if (length != lowerName.length()) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                int c = head[start + i];
                if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean startsWith(byte[] bytes, String prefix) {
            for (int i = 0; i < prefix.length(); i++) {
                if (bytes[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(int from, char c) {
            for (int i = from; i < size; i++) {
                if (head[i] == c) {
                    return i;
                }
            }
            return size;
        }

        private static boolean digit(byte b) {
            return b >= '0' && b <= '9';
        }
    }
}
