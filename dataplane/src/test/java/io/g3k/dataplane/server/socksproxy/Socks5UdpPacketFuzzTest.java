package io.g3k.dataplane.server.socksproxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Any datagram a SOCKS5 client sends: a target with a port, or null; the reader never runs past the end. */
class Socks5UdpPacketFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void decodesAnyDatagram(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        var target = Socks5UdpPacket.decode(buf);
        if (target != null) {
            assertThat(target.port()).isBetween(1, 65535);
            assertThat(target.host()).isNotEmpty();
            assertThat(buf.readerIndex()).isLessThanOrEqualTo(data.length);
        }
    }
}
