package io.g3k.dataplane.audit.icap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one ICAP response from the bytes received so far: the ICAP head ({@code 100 Continue} heads are reported
 * and skipped), the encapsulated HTTP heads at the offsets {@code Encapsulated} gives, and a chunked body.
 * Everything is bounded: heads by {@code maxHeaderSize}, the body by {@code maxBodySize}.
 */
final class IcapResponseReader {
    /** What the bytes so far amount to. */
    sealed interface Result {}

    record NeedMore() implements Result {}

    record Continue() implements Result {}

    /** A complete response; {@code body} is null without one. The receiver releases the body. */
    record Done(int status, Map<String, String> headers, HttpRequest request, HttpResponse response, ByteBuf body)
            implements Result {}

    private enum State { HEAD, SECTIONS, BODY }

    private static final Result NEED_MORE = new NeedMore();
    private final int maxHeaderSize;
    private final long maxBodySize;
    private State state = State.HEAD;
    private int status;
    private Map<String, String> headers;
    private List<String[]> encapsulated;
    private HttpRequest request;
    private HttpResponse response;
    private CompositeByteBuf body;

    IcapResponseReader(int maxHeaderSize, long maxBodySize) {
        this.maxHeaderSize = maxHeaderSize;
        this.maxBodySize = maxBodySize;
    }

    Result read(ByteBuf in) {
        while (true) {
            switch (state) {
                case HEAD -> {
                    int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), in);
                    if (end < 0) {
                        if (in.readableBytes() > maxHeaderSize) {
                            throw new IcapException("ICAP response head larger than " + maxHeaderSize + " bytes");
                        }
                        return NEED_MORE;
                    }
                    int length = end - in.readerIndex();
                    String head = in.readCharSequence(length, StandardCharsets.ISO_8859_1).toString();
                    in.skipBytes(4);
                    parseHead(head);
                    if (status == 100) {
                        return new Continue();
                    }
                    if (status != 200) {
                        return done(null);
                    }
                    state = State.SECTIONS;
                }
                case SECTIONS -> {
                    String[] last = encapsulated.getLast();
                    int bodyOffset = offset(last);
                    if (in.readableBytes() < bodyOffset) {
                        return NEED_MORE;
                    }
                    for (int i = 0; i < encapsulated.size() - 1; i++) {
                        int from = offset(encapsulated.get(i));
                        int to = offset(encapsulated.get(i + 1));
                        ByteBuf section = in.retainedSlice(in.readerIndex() + from, to - from);
                        switch (encapsulated.get(i)[0]) {
                            case "req-hdr" -> request = HttpHeads.decodeRequest(section, maxHeaderSize);
                            case "res-hdr" -> response = HttpHeads.decodeResponse(section, maxHeaderSize);
                            default -> {
                                section.release();
                                throw new IcapException("unexpected encapsulated part '" + encapsulated.get(i)[0] + "'");
                            }
                        }
                    }
                    in.skipBytes(bodyOffset);
                    if (last[0].equals("null-body")) {
                        return done(null);
                    }
                    body = Unpooled.compositeBuffer(Integer.MAX_VALUE);
                    state = State.BODY;
                }
                case BODY -> {
                    return readChunks(in);
                }
            }
        }
    }

    private void parseHead(String head) {
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("ICAP/")) {
            throw new IcapException("not an ICAP response: '" + lines[0] + "'");
        }
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IcapException("bad ICAP status line: '" + lines[0] + "'");
        }
        headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        encapsulated = new ArrayList<>();
        if (status == 200) {
            for (String part : headers.getOrDefault("encapsulated", "").split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2 || !kv[1].chars().allMatch(Character::isDigit)) {
                    throw new IcapException("bad Encapsulated header: '" + headers.get("encapsulated") + "'");
                }
                encapsulated.add(new String[] {kv[0].trim().toLowerCase(Locale.ROOT), kv[1].trim()});
                int previous = encapsulated.size() < 2 ? 0 : offset(encapsulated.get(encapsulated.size() - 2));
                if (offset(encapsulated.getLast()) < previous || offset(encapsulated.getLast()) > maxHeaderSize) {
                    throw new IcapException("Encapsulated offsets must ascend within the header limit: '"
                            + headers.get("encapsulated") + "'");
                }
            }
            if (encapsulated.isEmpty()) { // "Encapsulated: ," splits into no parts at all
                throw new IcapException("bad Encapsulated header: '" + headers.get("encapsulated") + "'");
            }
            String lastName = encapsulated.getLast()[0];
            if (!lastName.endsWith("-body") && !lastName.equals("opt-body")) {
                throw new IcapException("Encapsulated must end with a body part: '" + headers.get("encapsulated") + "'");
            }
        }
    }

    private static int offset(String[] part) {
        try {
            return Integer.parseInt(part[1]);
        } catch (NumberFormatException e) {
            throw new IcapException("bad Encapsulated offset '" + part[1] + "'");
        }
    }

    private Result readChunks(ByteBuf in) {
        while (true) {
            int lineEnd = ByteBufUtil.indexOf(in, in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (lineEnd < 0) {
                if (in.readableBytes() > 1024) {
                    throw new IcapException("ICAP chunk size line too long");
                }
                return NEED_MORE;
            }
            String line = in.toString(in.readerIndex(), lineEnd - in.readerIndex(), StandardCharsets.US_ASCII).trim();
            int semicolon = line.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon >= 0 ? line.substring(0, semicolon) : line).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IcapException("bad ICAP chunk size '" + line + "'");
            }
            if (size == 0) {
                // the last chunk, then trailers (none expected) up to an empty line
                int trailerEnd = ByteBufUtil.indexOf(in, lineEnd + 1, in.writerIndex(), (byte) '\n');
                if (trailerEnd < 0) {
                    return NEED_MORE;
                }
                in.readerIndex(trailerEnd + 1);
                return done(body);
            }
            if (size < 0 || body.readableBytes() + (long) size > maxBodySize) {
                throw new IcapException("adapted body larger than " + maxBodySize + " bytes");
            }
            if (in.writerIndex() - (lineEnd + 1) < size + 2) {
                return NEED_MORE;
            }
            in.readerIndex(lineEnd + 1);
            // a copy, not a slice: the caller compacts its receive buffer (discardReadBytes) after each read,
            // which would move bytes under a slice that outlives the read
            body.addComponent(true, in.readBytes(size));
            in.skipBytes(2);
        }
    }

    private Done done(ByteBuf withBody) {
        body = null; // the receiver owns it now
        return new Done(status, headers, request, response, withBody);
    }

    /** Gives back what a half-read response holds. */
    void release() {
        if (body != null && body.refCnt() > 0) {
            body.release();
        }
    }
}
