package io.g3k.dataplane.audit.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapted body as the ICAP service sent it, however its bytes are split across reads. */
class IcapResponseReaderTest {
    private static final String REQUEST_HEAD = "POST /echo HTTP/1.1\r\nHost: origin\r\n\r\n";
    private static final String ICAP_HEAD = "ICAP/1.0 200 OK\r\nEncapsulated: req-hdr=0, req-body="
            + REQUEST_HEAD.length() + "\r\n\r\n";

    /**
     * The receive buffer is compacted after every read, as IcapClient does: a body chunk read in one segment must
     * not change when the last chunk's bytes arrive in the next ones (c-icap splits them so, now and then).
     */
    @Test
    void aBodyChunkSurvivesTheReceiveBufferBeingCompacted() {
        IcapResponseReader reader = new IcapResponseReader(65536, 1 << 20);
        ByteBuf received = Unpooled.buffer();
        IcapResponseReader.Result result = null;
        for (String segment : List.of(ICAP_HEAD + REQUEST_HEAD, "11\r\na XXXXXXXXXX plan\r\n0\r", "\n\r\n")) {
            received.writeBytes(segment.getBytes(StandardCharsets.ISO_8859_1));
            result = reader.read(received);
            received.discardReadBytes();
        }
        assertThat(result).isInstanceOf(IcapResponseReader.Done.class);
        ByteBuf body = ((IcapResponseReader.Done) result).body();
        try {
            assertThat(body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("a XXXXXXXXXX plan");
        } finally {
            body.release();
            received.release();
        }
    }

    /** Each malformed Encapsulated header is a clear IcapException (the fuzzer found "Encapsulated: ," raising a raw one). */
    @ParameterizedTest
    @ValueSource(strings = {",", "", "res-hdr", "res-hdr=x, res-body=10", "res-body=20, res-hdr=10", "res-hdr=0"})
    void aBadEncapsulatedHeaderIsAClearError(String encapsulated) {
        IcapResponseReader reader = new IcapResponseReader(65536, 1 << 20);
        ByteBuf received = Unpooled.copiedBuffer("ICAP/1.0 200 OK\r\nEncapsulated: " + encapsulated + "\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            assertThatThrownBy(() -> reader.read(received)).isInstanceOf(IcapException.class)
                    .hasMessageContaining("Encapsulated");
        } finally {
            reader.release();
            received.release();
        }
    }
}
