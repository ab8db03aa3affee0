package io.g3k.dataplane.support;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real UDP echo server on loopback: every datagram goes back to its sender. As a static
 * {@code @RegisterExtension} field it lives as long as the test class.
 */
public final class UdpEcho implements AutoCloseable, AfterAllCallback {
    private final DatagramSocket socket;

    /** A started echo server; a field initializer cannot throw, so this wraps the socket error. */
    public static UdpEcho start() {
        try {
            return new UdpEcho();
        } catch (SocketException e) {
            throw new IllegalStateException("cannot open a UDP echo socket", e);
        }
    }

    private UdpEcho() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setReceiveBufferSize(1 << 20);
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
