package io.g3k.dataplane.server.port;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.g3k.config.ProxyProtocol;
import io.g3k.dataplane.stat.Stats;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Any bytes in front of a PROXY-protocol port (v1 and v2): the connection is either handed on once, after a valid
 * header, or closed; no exception escapes the pipeline.
 */
class ProxyProtocolFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void takesAnyHeader(byte[] data) {
        for (ProxyProtocol version : ProxyProtocol.values()) {
            AtomicBoolean handedOn = new AtomicBoolean();
            AtomicReference<Throwable> escaped = new AtomicReference<>();
            EmbeddedChannel ch = new EmbeddedChannel();
            ProxyProtocolHandler.install(ch, version, Duration.ofSeconds(5), new Stats("fuzz").server("port"),
                    () -> assertThat(handedOn.compareAndSet(false, true)).isTrue());
            // stands for the next server, which handles what comes after the header itself
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    if (!handedOn.get()) {
                        escaped.set(cause);
                    }
                }
            });
            ch.writeInbound(Unpooled.wrappedBuffer(data));
            ch.finishAndReleaseAll();
            assertThat(escaped.get()).as("an exception passed the PROXY protocol handler").isNull();
        }
    }
}
