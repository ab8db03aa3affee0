package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The raw response reader: whatever the segmentation, the head comes out with the hop-by-hop headers left out and
 * the body byte for byte as it came (chunked framing included), its last part marked; bad heads and bad framing
 * fail with a DecoderException, and no buffer is left unreleased.
 */
class RawResponseDecoderTest {
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
            + "5;ext=1\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";

    /** What came out for one response: head text, body bytes, whether the last part was marked. */
    private record Out(RawResponseDecoder.Head head, String headText, String body, boolean ended, int parts) {}

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void aContentLengthBodyPassesThroughWhateverTheSegmentation(int segment) {
        Out out = decode("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nServer: x\r\n\r\nhello world", segment, false);
        assertThat(out.headText()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nServer: x\r\n");
        assertThat(out.body()).isEqualTo("hello world");
        assertThat(out.ended()).isTrue();
        assertThat(out.head().delimited()).isTrue();
        assertThat(out.head().keepAlive()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 1000})
    void chunkedFramingAndTrailersPassThroughAsTheyCame(int segment) {
        Out out = decode(CHUNKED, segment, false);
        assertThat(out.headText()).isEqualTo("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n");
        assertThat(out.body()).isEqualTo(CHUNKED.substring(CHUNKED.indexOf("\r\n\r\n") + 4));
        assertThat(out.ended()).isTrue();
        assertThat(out.head().delimited()).isTrue();
    }

    @Test
    void hopByHopHeadersAndTheOnesConnectionNamesAreLeftOut() {
        Out out = decode("HTTP/1.1 200 OK\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Upgrade: h2c\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X\r\n"
                + "Proxy-Authenticate: Basic\r\nX-Kept: yes\r\nContent-Length: 0\r\n\r\n", 1000, false);
        assertThat(out.headText()).isEqualTo("HTTP/1.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 0\r\n");
        assertThat(out.head().keepAlive()).as("Connection: close").isFalse();
        assertThat(out.ended()).isTrue();
    }

    /** Kept lines are copied in runs: what lies between two runs, and a bare LF's line end, must not leak through. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1000})
    void keptLinesArriveWithCrlfAndNothingBetweenThem(int segment) {
        Out out = decode("HTTP/1.1 200 OK\nServer: x\r\nConnection: x-drop\nX-Drop: 1\r\nX-Kept: 1\n"
                + "Keep-Alive: 5\r\nX-Last: 2\r\nContent-Length: 0\r\n\r\n", segment, false);
        assertThat(out.headText()).isEqualTo("HTTP/1.1 200 OK\r\nServer: x\r\nX-Kept: 1\r\nX-Last: 2\r\nContent-Length: 0\r\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n | false",
        "HTTP/1.0 200 OK\\r\\nConnection: Keep-Alive\\r\\nContent-Length: 0\\r\\n\\r\\n | true",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n | true",
        // Content-Length beside Transfer-Encoding: a smuggling sign, so the connection is never reused
        "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | false",
    })
    void keepAliveFollowsTheVersionAndTheConnectionHeader(String response, boolean keepAlive) {
        Out out = decode(unescape(response), 1000, false);
        assertThat(out.head().keepAlive()).isEqualTo(keepAlive);
        assertThat(out.ended()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Transfer-Encoding: gzip, chunked              | true",
        "Transfer-Encoding: gzip,CHUNKED               | true",
        "Transfer-Encoding: chunked, gzip              | false",
        "Transfer-Encoding: gzip                       | false",
    })
    void onlyChunkedAsTheLastCodingFramesTheBody(String header, boolean chunked) {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n" + header + "\r\n\r\n0\r\n\r\n"));
        RawResponseDecoder.Head head = ch.readInbound();
        assertThat(head.delimited()).isEqualTo(chunked);
        head.bytes().release();
        RawResponseDecoder.Body body = ch.readInbound();
        assertThat(text(body.bytes())).isEqualTo("0\r\n\r\n");
        assertThat(body.last()).as("ends with the chunked framing, not the close").isEqualTo(chunked);
        releaseAll(ch);
    }

    @Test
    void connectionOptionsAreReadWhateverTheirCaseAndSpacing() {
        Out out = decode("HTTP/1.0 200 OK\r\nConnection:  Keep-Alive ,\tx-one ,X-TWO\r\nX-One: 1\r\nx-two: 2\r\n"
                + "X-Three: 3\r\nContent-Length: 0\r\n\r\n", 1000, false);
        assertThat(out.headText()).isEqualTo("HTTP/1.0 200 OK\r\nX-Three: 3\r\nContent-Length: 0\r\n");
        assertThat(out.head().keepAlive()).as("HTTP/1.0 with keep-alive").isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 204 No Content\\r\\nContent-Length: 10\\r\\n\\r\\n | false",
        "HTTP/1.1 304 Not Modified\\r\\nContent-Length: 10\\r\\n\\r\\n | false",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 10\\r\\n\\r\\n | true",
    })
    void bodylessResponsesEndWithTheirHead(String response, boolean head) {
        Out out = decode(unescape(response), 1000, head);
        assertThat(out.body()).isEmpty();
        assertThat(out.ended()).isTrue();
        assertThat(out.head().delimited()).isTrue();
    }

    @Test
    void anInterimResponseIsPassedOnBeforeTheFinalOne() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        RawResponseDecoder.Head interim = ch.readInbound();
        assertThat(interim.interim()).isTrue();
        assertThat(text(interim.bytes())).isEqualTo("HTTP/1.1 100 Continue\r\n");
        RawResponseDecoder.Head fin = ch.readInbound();
        assertThat(fin.status()).isEqualTo(200);
        fin.bytes().release();
        RawResponseDecoder.Body body = ch.readInbound();
        assertThat(text(body.bytes())).isEqualTo("ok");
        assertThat(body.last()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aBodyWithoutFramingRunsUntilTheClose() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome"), bytes(" more"));
        RawResponseDecoder.Head head = ch.readInbound();
        assertThat(head.delimited()).isFalse();
        assertThat(head.keepAlive()).isFalse();
        head.bytes().release();
        ch.finish(); // the upstream closes
        StringBuilder body = new StringBuilder();
        boolean ended = false;
        for (RawResponseDecoder.Body part; (part = ch.readInbound()) != null; ) {
            body.append(text(part.bytes()));
            ended = part.last();
        }
        assertThat(body).hasToString("some more");
        assertThat(ended).isTrue();
    }

    @Test
    void twoResponsesInTurnOnOneConnection() {
        EmbeddedChannel ch = channel(false);
        for (String path : new String[] {"a", "b"}) {
            ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + path));
            RawResponseDecoder.Head head = ch.readInbound();
            head.bytes().release();
            RawResponseDecoder.Body body = ch.readInbound();
            assertThat(text(body.bytes())).isEqualTo(path);
            ch.pipeline().get(RawResponseDecoder.class).expect(false, false);
        }
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/2 200\\r\\n\\r\\n                                                       | invalid status line",
        "HTTP/1.1 2000 OK\\r\\n\\r\\n                                                 | invalid status line",
        "HTTP/1.1 099 Odd\\r\\n\\r\\n                                                 | invalid status code",
        "ICY 200 OK\\r\\n\\r\\n                                                       | invalid status line",
        "HTTP/1.1 200 OK\\r\\nNo colon here\\r\\n\\r\\n                               | invalid response header name",
        "HTTP/1.1 200 OK\\r\\nX-A : 1\\r\\n\\r\\n                                     | invalid response header name",
        "HTTP/1.1 200 OK\\r\\nX-A: 1\\r\\n folded\\r\\n\\r\\n                         | obsolete line folding",
        "HTTP/1.1 200 OK\\r\\nX-A: a\\u0000b\\r\\n\\r\\n                               | invalid response header value",
        "HTTP/1.1 200 OK\\r\\nX-A: a\\rb\\r\\n\\r\\n                                   | invalid response header value",
        "HTTP/1.1 200 OK\\r\\nNoColon\\r\\n\\r\\n                                     | invalid response header line",
        "HTTP/1.1 200 OK\\r\\n: no name\\r\\n\\r\\n                                   | invalid response header line",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n    | conflicting Content-Length",
        "HTTP/1.1 200 OK\\r\\nContent-Length: -1\\r\\n\\r\\n                          | invalid Content-Length",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 1 2\\r\\n\\r\\n                         | invalid Content-Length",
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n           | invalid chunk size",
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nabc\\r\\n    | chunk data longer than its size",
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nfffffffffffffffff\\r\\n | chunk size too large",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\n\\r\\nab                         | no request outstanding",
    })
    void badResponsesFailClearly(String response, String message) {
        EmbeddedChannel ch = channel(false);
        assertThatThrownBy(() -> ch.writeInbound(bytes(unescape(response))))
                .isInstanceOf(DecoderException.class).hasMessageContaining(message);
        releaseAll(ch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\r\n\r\n"}) // still coming, or complete in one read
    void anOversizedHeadFails(String end) {
        EmbeddedChannel ch = new EmbeddedChannel(new RawResponseDecoder(1024, 8192));
        ch.pipeline().get(RawResponseDecoder.class).expect(false, false);
        assertThatThrownBy(() -> ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(2000) + end)))
                .isInstanceOf(DecoderException.class).hasMessageContaining("larger than 1024");
        releaseAll(ch);
    }

    /** A head larger than the decoder's reused 1 KiB copy, then a small one on the same connection: both whole. */
    @Test
    void headsLargerAndSmallerThanTheReusedCopyFollowEachOther() {
        EmbeddedChannel ch = channel(false);
        String big = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(3000) + "\r\nContent-Length: 0\r\n";
        String small = "HTTP/1.1 204 No Content\r\nX-Small: s\r\n";
        for (String head : new String[] {big, small, big}) {
            ch.pipeline().get(RawResponseDecoder.class).expect(false, false);
            ch.writeInbound(bytes(head + "\r\n"));
            RawResponseDecoder.Head decoded = ch.readInbound();
            assertThat(text(decoded.bytes())).isEqualTo(head);
            RawResponseDecoder.Body end = ch.readInbound();
            assertThat(end.last()).isTrue();
            end.bytes().release();
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aSwitchToAnotherProtocolLeavesTheRestForWhoeverTakesOver() {
        EmbeddedChannel ch = new EmbeddedChannel(new RawResponseDecoder(8192, 8192));
        ch.pipeline().get(RawResponseDecoder.class).expect(false, true);
        ch.writeInbound(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: x\r\n\r\n\u0081\u0002hi"));
        RawResponseDecoder.Head head = ch.readInbound();
        assertThat(head.status()).isEqualTo(101);
        assertThat(text(head.bytes())).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Accept: x")
                .doesNotContainIgnoringCase("upgrade:");
        ch.writeInbound(bytes("more"));
        assertThat(ch.<Object>readInbound()).as("nothing decoded after the switch").isNull();
        ch.pipeline().removeFirst(); // the relay's turn: the buffered bytes come out, as they were
        ByteBuf rest = ch.readInbound();
        assertThat(rest.toString(StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0002himore");
        rest.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void a101WithoutAnUpgradeAskedForIsInterim() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(bytes("HTTP/1.1 101 Switching Protocols\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        RawResponseDecoder.Head interim = ch.readInbound();
        RawResponseDecoder.Head last = ch.readInbound();
        assertThat(List.of(interim.status(), last.status())).containsExactly(101, 200);
        interim.bytes().release();
        last.bytes().release();
        releaseAll(ch);
    }

    @Test
    void bytesNobodyAskedForFail() {
        EmbeddedChannel ch = new EmbeddedChannel(new RawResponseDecoder(8192, 8192));
        assertThatThrownBy(() -> ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("no request outstanding");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static EmbeddedChannel channel(boolean head) {
        EmbeddedChannel ch = new EmbeddedChannel(new RawResponseDecoder(8192, 8192));
        ch.pipeline().get(RawResponseDecoder.class).expect(head, false);
        return ch;
    }

    /** Feeds one response in segments of the given size and collects what came out, releasing every buffer. */
    private static Out decode(String response, int segment, boolean head) {
        EmbeddedChannel ch = channel(head);
        byte[] all = response.getBytes(StandardCharsets.ISO_8859_1);
        List<Object> got = new ArrayList<>();
        for (int i = 0; i < all.length; i += segment) {
            ch.writeInbound(Unpooled.copiedBuffer(all, i, Math.min(segment, all.length - i)));
            for (Object o; (o = ch.readInbound()) != null; ) {
                got.add(o);
            }
        }
        assertThat(ch.finish()).isFalse();
        RawResponseDecoder.Head first = (RawResponseDecoder.Head) got.getFirst();
        String headText = text(first.bytes());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended = false;
        for (Object o : got.subList(1, got.size())) {
            RawResponseDecoder.Body part = (RawResponseDecoder.Body) o;
            assertThat(ended).as("nothing after the last part").isFalse();
            body.writeBytes(bytesOf(part.bytes()));
            ended = part.last();
        }
        return new Out(first, headText, body.toString(StandardCharsets.ISO_8859_1), ended, got.size() - 1);
    }

    private static void releaseAll(EmbeddedChannel ch) {
        for (Object o; (o = ch.readInbound()) != null; ) {
            if (o instanceof RawResponseDecoder.Head h) {
                h.bytes().release();
            } else if (o instanceof RawResponseDecoder.Body b) {
                b.bytes().release();
            }
        }
        ch.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static String text(ByteBuf buf) {
        return new String(bytesOf(buf), StandardCharsets.ISO_8859_1);
    }

    /** The bytes, and the buffer released (asserting nothing else holds it). */
    private static byte[] bytesOf(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        return b;
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\0");
    }
}
