package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/**
 * Any bytes from an upstream, in three reads and then a close: heads and body parts that together are never more
 * than what came in, or a DecoderException naming what is wrong; nothing else is thrown and nothing is left
 * unreleased (the first byte picks whether the request was HEAD).
 */
class RawResponseDecoderFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void readsAnyResponse(byte[] data) {
        if (data.length == 0) {
            return;
        }
        EmbeddedChannel ch = new EmbeddedChannel(new RawResponseDecoder(2048, 8192));
        ch.pipeline().get(RawResponseDecoder.class).expect((data[0] & 1) == 1, (data[0] & 2) == 2);
        long out = 0;
        try {
            int third = (data.length - 1) / 3;
            int[] cuts = {1, 1 + third, 1 + 2 * third, data.length};
            for (int i = 0; i < 3; i++) {
                ch.writeInbound(Unpooled.copiedBuffer(data, cuts[i], cuts[i + 1] - cuts[i]));
                out += drain(ch);
            }
            ch.finish();
        } catch (DecoderException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            out += drain(ch);
            ch.finishAndReleaseAll();
        }
        // a head is rewritten (hop-by-hop headers out, CRLF line ends): at most two bytes more per bare-LF line
        assertThat(out).isLessThanOrEqualTo(2L * data.length);
    }

    private static long drain(EmbeddedChannel ch) {
        long n = 0;
        for (Object o; (o = ch.readInbound()) != null; ) {
            var bytes = o instanceof RawResponseDecoder.Head h ? h.bytes() : ((RawResponseDecoder.Body) o).bytes();
            n += bytes.readableBytes();
            bytes.release();
        }
        return n;
    }
}
