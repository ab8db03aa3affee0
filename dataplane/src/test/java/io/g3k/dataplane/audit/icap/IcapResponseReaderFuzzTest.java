package io.g3k.dataplane.audit.icap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Any bytes from an ICAP service, in two reads: a response, "more", or an IcapException naming what is wrong;
 * bounded by the header and body limits, and nothing left unreleased.
 */
class IcapResponseReaderFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void readsAnyResponse(byte[] data) {
        IcapResponseReader reader = new IcapResponseReader(1024, 4096);
        ByteBuf received = Unpooled.buffer();
        try {
            int half = data.length / 2;
            for (int[] part : new int[][] {{0, half}, {half, data.length}}) {
                received.writeBytes(data, part[0], part[1] - part[0]);
                IcapResponseReader.Result result;
                do {
                    result = reader.read(received);
                } while (result instanceof IcapResponseReader.Continue);
                if (result instanceof IcapResponseReader.Done done) {
                    if (done.body() != null) {
                        assertThat(done.body().readableBytes()).isLessThanOrEqualTo(4096);
                        done.body().release();
                    }
                    return;
                }
            }
        } catch (IcapException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            reader.release();
            received.release();
        }
    }
}
