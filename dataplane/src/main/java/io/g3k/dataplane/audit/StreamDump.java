package io.g3k.dataplane.audit;

import io.g3k.config.audit.TlsStreamDumpConfig;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code tls_stream_dump}: copies the plaintext of intercepted TLS streams to a UDP collector, each datagram one
 * Wireshark exported PDU (dissector name, addresses, TCP ports, then the bytes), as Wireshark's {@code udpdump}
 * extcap takes with {@code --payload exported_pdu}. Best effort: copies are never waited for, never retried.
 */
public final class StreamDump implements AutoCloseable {
    private static final int TAG_END = 0;
    private static final int TAG_PROTO_NAME = 12;
    private static final int TAG_IPV4_SRC = 20;
    private static final int TAG_IPV4_DST = 21;
    private static final int TAG_IPV6_SRC = 22;
    private static final int TAG_IPV6_DST = 23;
    private static final int TAG_PORT_TYPE = 24;
    private static final int TAG_SRC_PORT = 25;
    private static final int TAG_DST_PORT = 26;
    private static final int PORT_TYPE_TCP = 2;

    private final TlsStreamDumpConfig config;
    private final Channel socket;

    StreamDump(TlsStreamDumpConfig config, Transport transport) {
        this.config = config;
        this.socket = new Bootstrap().group(transport.workers()).channel(transport.datagramChannel())
                .handler(new ChannelInboundHandlerAdapter()).bind(0).syncUninterruptibly().channel();
    }

    /**
     * A tap for the plaintext side of an intercepted client connection: what it reads came from the client, what
     * is written through it goes to the client. Labelled with the client's or the upstream connection's addresses.
     */
    Tap tap(Channel client, Channel upstream) {
        Channel labels = config.clientSide() ? client : upstream;
        return new Tap((InetSocketAddress) labels.localAddress(), (InetSocketAddress) labels.remoteAddress(),
                config.clientSide());
    }

    private void send(String protocol, InetSocketAddress from, InetSocketAddress to, ByteBuf data) {
        ByteBuf header = header(protocol, from, to);
        int room = config.packetSize() - header.readableBytes();
        for (int i = data.readerIndex(); i < data.writerIndex(); i += room) {
            int n = Math.min(room, data.writerIndex() - i);
            ByteBuf datagram = Unpooled.wrappedBuffer(header.retainedDuplicate(), data.retainedSlice(i, n));
            socket.writeAndFlush(new DatagramPacket(datagram, config.peer()));
        }
        header.release();
    }

    private static ByteBuf header(String protocol, InetSocketAddress from, InetSocketAddress to) {
        ByteBuf out = Unpooled.buffer(64);
        byte[] name = protocol.getBytes(StandardCharsets.US_ASCII);
        tag(out, TAG_PROTO_NAME, (name.length + 3) & ~3);
        out.writeBytes(name).writeZero(((name.length + 3) & ~3) - name.length);
        boolean v4 = from.getAddress() instanceof Inet4Address;
        byte[] src = from.getAddress().getAddress();
        tag(out, v4 ? TAG_IPV4_SRC : TAG_IPV6_SRC, src.length);
        out.writeBytes(src);
        byte[] dst = to.getAddress().getAddress();
        tag(out, v4 ? TAG_IPV4_DST : TAG_IPV6_DST, dst.length);
        out.writeBytes(dst);
        tag(out, TAG_PORT_TYPE, 4);
        out.writeInt(PORT_TYPE_TCP);
        tag(out, TAG_SRC_PORT, 4);
        out.writeInt(from.getPort());
        tag(out, TAG_DST_PORT, 4);
        out.writeInt(to.getPort());
        tag(out, TAG_END, 0);
        return out;
    }

    private static void tag(ByteBuf out, int type, int length) {
        out.writeShort(type).writeShort(length);
    }

    @Override
    public void close() {
        socket.close();
    }

    /** Copies bytes both ways; the dissector is named from the client's first bytes (http, http2, else data). */
    final class Tap extends ChannelDuplexHandler implements Relay.Transparent {
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final boolean clientSide;
        private String protocol;

        Tap(InetSocketAddress local, InetSocketAddress remote, boolean clientSide) {
            this.local = local;
            this.remote = remote;
            this.clientSide = clientSide;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf data && data.isReadable()) {
                if (protocol == null) {
                    var found = ProtocolInspection.clientFirst(data);
                    protocol = found == ProtocolInspection.Protocol.HTTP1 ? "http"
                            : found == ProtocolInspection.Protocol.HTTP2 ? "http2" : "data";
                }
                // towards the target: from the client, or from the proxy's upstream socket
                send(protocol, clientSide ? remote : local, clientSide ? local : remote, data);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf data && data.isReadable()) {
                send(protocol == null ? "data" : protocol, clientSide ? local : remote, clientSide ? remote : local, data);
            }
            ctx.write(msg, promise);
        }
    }
}
