package io.g3k.dataplane.server.sniproxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/** Any bytes as a ClientHello: a name, "more", or "invalid"; never an exception, never a name with a NUL. */
class ClientHelloSniFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parsesAnyBytes(byte[] data) {
        var result = ClientHelloSni.parse(Unpooled.wrappedBuffer(data));
        assertThat(result).isNotNull();
        if (result.name() != null) {
            assertThat(result.name()).doesNotContain("\0").isNotEmpty();
        }
    }
}
