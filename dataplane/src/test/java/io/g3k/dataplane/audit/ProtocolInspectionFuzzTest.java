package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Any first bytes of a tunnel: a protocol or "wait", decided within the peek limit, the bytes left unread. */
class ProtocolInspectionFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void inspectsAnyFirstBytes(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        var client = ProtocolInspection.clientFirst(in);
        var server = ProtocolInspection.serverFirst(in, data.length > 0 ? data[0] & 0xff : 25);
        assertThat(in.readerIndex()).isZero();
        if (data.length >= ProtocolInspection.MAX_PEEK) {
            assertThat(client).isNotNull();
            assertThat(server).isNotNull();
        }
    }
}
