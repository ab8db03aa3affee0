package io.g3k.dataplane.server.socksproxy;

import io.g3k.config.UpstreamAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The RFC 1928 section 7 UDP request header: RSV(2) FRAG(1) ATYP(1) DST.ADDR DST.PORT, then the payload.
 * Fragments are not supported (FRAG must be 0, as the RFC allows), and malformed headers are refused.
 */
final class Socks5UdpPacket {
    /** RSV, FRAG, ATYP, a domain name of 255 bytes with its length, the port. */
    static final int MAX_HEADER = 4 + 1 + 255 + 2;

    private Socks5UdpPacket() {}

    /** The target of a client datagram, with the buffer's reader index left at the payload; null if invalid. */
    static UpstreamAddr decode(ByteBuf buf) {
        try {
            if (buf.readableBytes() < 4 || buf.readShort() != 0 || buf.readByte() != 0) {
                return null;
            }
            String host;
            switch (buf.readByte()) {
                case 0x01 -> {
                    byte[] ip = new byte[4];
                    buf.readBytes(ip);
                    host = java.net.InetAddress.getByAddress(ip).getHostAddress();
                }
                case 0x04 -> {
                    byte[] ip = new byte[16];
                    buf.readBytes(ip);
                    host = java.net.InetAddress.getByAddress(ip).getHostAddress();
                }
                case 0x03 -> {
                    int length = buf.readUnsignedByte();
                    host = buf.readCharSequence(length, StandardCharsets.US_ASCII).toString();
                }
                default -> {
                    return null;
                }
            }
            int port = buf.readUnsignedShort();
            return port == 0 ? null : new UpstreamAddr(host, port);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.net.UnknownHostException e) {
            return null;
        }
    }

    /** The header for a datagram coming back from {@code from}. */
    static ByteBuf header(ByteBufAllocator alloc, InetSocketAddress from) {
        byte[] ip = from.getAddress().getAddress();
        ByteBuf out = alloc.buffer(6 + ip.length);
        out.writeShort(0).writeByte(0).writeByte(from.getAddress() instanceof Inet4Address ? 0x01 : 0x04);
        out.writeBytes(ip).writeShort(from.getPort());
        return out;
    }
}
