package io.g3k.dataplane.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads beyond the budget stop reading and are held, then handed on in order with the end of input. */
class ReadPacerTest {
    /** What reached the reader behind the pacer, in order. */
    private static final class Reader extends ChannelInboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(String.valueOf(((ByteBuf) msg).readableBytes()));
            ((ByteBuf) msg).release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add("eof");
        }
    }

    @Test
    void readsBeyondTheBudgetWaitForIt() throws Exception {
        var reader = new Reader();
        var ch = new EmbeddedChannel(reader);
        ReadPacer.add(ch, new ReadBudget(1000, Duration.ofMillis(100), 1000)); // 10 bytes a ms
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[600]), Unpooled.wrappedBuffer(new byte[600]));
        assertThat(reader.seen).containsExactly("600", "600");
        assertThat(ch.config().isAutoRead()).as("200 bytes in debt: reading stops").isFalse();

        ByteBuf late = Unpooled.wrappedBuffer(new byte[300]); // read by the transport all the same
        ch.writeInbound(late);
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(reader.seen).as("held, the end of input behind the bytes").hasSize(2);
        assertThat(late.refCnt()).as("copied out of the read's buffer").isZero();

        Thread.sleep(40); // the debt is paid after 20 ms
        ch.runScheduledPendingTasks();
        assertThat(reader.seen).containsExactly("600", "600", "300", "eof");
        assertThat(ch.config().isAutoRead()).as("300 more in debt").isFalse();
        Thread.sleep(50);
        ch.runScheduledPendingTasks();
        assertThat(ch.config().isAutoRead()).as("reading again").isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void heldBytesStillGoOnWhenThePeerIsGone() {
        var reader = new Reader();
        var ch = new EmbeddedChannel(reader);
        ReadPacer.add(ch, new ReadBudget(1000, Duration.ofSeconds(10), 1000));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1500]), Unpooled.wrappedBuffer(new byte[100]));
        assertThat(reader.seen).containsExactly("1500");
        ch.close();
        assertThat(reader.seen).containsExactly("1500", "100");
    }

    @Test
    void budgetsOfOneChannelAddUp() {
        var ch = new EmbeddedChannel();
        ReadPacer.add(ch, new ReadBudget(1000, Duration.ofSeconds(1), 1000));
        ReadPacer.add(ch, new ReadBudget(1000, Duration.ofSeconds(1), 1000));
        assertThat(ch.pipeline().names()).containsOnlyOnce(ReadPacer.NAME);
        assertThat(ch.pipeline().first()).isInstanceOf(ReadPacer.class);
        ch.finishAndReleaseAll();
    }
}
