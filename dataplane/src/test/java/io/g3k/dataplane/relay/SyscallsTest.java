package io.g3k.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay's direct system calls on a real loopback connection: what each returns where Netty's calls would. */
class SyscallsTest {
    private Socket listener;
    private Socket client;
    private Socket accepted;
    private final ByteBuf buf = Unpooled.directBuffer(64);

    @BeforeEach
    void connect() throws IOException {
        Assumptions.assumeTrue(Epoll.isAvailable(), "no native transport here");
        listener = Socket.newSocketStream();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        listener.listen(1);
        client = Socket.newSocketStream();
        client.connect(listener.localAddress());
        byte[] address = new byte[32];
        int[] fd = {-1};
        await().atMost(5, TimeUnit.SECONDS).until(() -> (fd[0] = listener.accept(address)) >= 0);
        accepted = new Socket(fd[0]);
        await().atMost(5, TimeUnit.SECONDS).until(client::finishConnect);
    }

    @AfterEach
    void close() throws IOException {
        buf.release();
        for (Socket s : new Socket[] {accepted, client, listener}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void availableFromJdk22OnX8664Linux() {
        boolean x8664Linux = "amd64".equals(System.getProperty("os.arch"));
        assertThat(Syscalls.AVAILABLE).isEqualTo(x8664Linux && Runtime.version().feature() >= 22);
    }

    @Test
    void bytesGoAcrossAndAnEmptySocketIsAnErrorThatNettysCallCallsEagain() throws IOException {
        Assumptions.assumeTrue(Syscalls.AVAILABLE);
        buf.writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(Syscalls.send(client.intValue(), buf.memoryAddress(), 5)).isEqualTo(5);
        buf.clear();
        int[] read = {-1};
        await().atMost(5, TimeUnit.SECONDS)
                .until(() -> (read[0] = Syscalls.recv(accepted.intValue(), buf.memoryAddress(), 64)) != -1);
        assertThat(read[0]).isEqualTo(5);
        assertThat(buf.setIndex(0, 5).toString(StandardCharsets.US_ASCII)).isEqualTo("hello");

        assertThat(Syscalls.recv(accepted.intValue(), buf.memoryAddress(), 64)).isEqualTo(-1);
        assertThat(accepted.recvAddress(buf.memoryAddress(), 0, 64)).isZero(); // the relay's fallback: EAGAIN
    }

    @Test
    void theEndOfTheStreamReadsAsZero() throws IOException {
        Assumptions.assumeTrue(Syscalls.AVAILABLE);
        client.shutdown(false, true);
        await().atMost(5, TimeUnit.SECONDS).until(() -> Syscalls.recv(accepted.intValue(), buf.memoryAddress(), 64) == 0);
    }

    @Test
    void aWriteToAResetConnectionFailsAndNettysCallSaysWhy() throws IOException {
        Assumptions.assumeTrue(Syscalls.AVAILABLE);
        accepted.setSoLinger(0);
        accepted.close(); // a reset
        accepted = null;
        buf.writeBytes(new byte[16]);
        await().atMost(5, TimeUnit.SECONDS).until(() -> Syscalls.send(client.intValue(), buf.memoryAddress(), 16) == -1);
        assertThatThrownBy(() -> client.sendAddress(buf.memoryAddress(), 0, 16)).isInstanceOf(IOException.class);
    }
}
