package io.g3k.dataplane.escape;

import io.g3k.config.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * An escaper's {@code use_proxy_protocol}: the PROXY protocol header (v1 or v2) that opens each connection it makes,
 * announcing the task's client and the proxy server's address the client came to, as g3proxy does: before anything a
 * task writes and before a TLS handshake with a next proxy. Then this handler leaves the pipeline.
 */
public final class ProxyProtocolHeader extends ChannelOutboundHandlerAdapter {
    private static final String NAME = "proxy-protocol-header";

    private final HAProxyMessage header;
    private boolean sent;

    private ProxyProtocolHeader(HAProxyMessage header) {
        this.header = header;
    }

    /** First in a connection's pipeline, before it connects; nothing when the task's addresses are not known. */
    public static void add(Channel ch, ProxyProtocol version, EscapeHints hints) {
        if (hints.clientAddress().isPresent() && hints.serverAddress().isPresent()) {
            ch.pipeline().addFirst(NAME, new ProxyProtocolHeader(
                    message(version, hints.clientAddress().get(), hints.serverAddress().get())));
        }
    }

    /** TCP over IPv4 when both ends are IPv4, else over IPv6 (an IPv4 end as an IPv4-mapped address). */
    private static HAProxyMessage message(ProxyProtocol version, InetSocketAddress source, InetSocketAddress destination) {
        boolean v4 = source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
        return new HAProxyMessage(version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY, v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(source.getAddress(), v4), text(destination.getAddress(), v4), source.getPort(),
                destination.getPort());
    }

    private static String text(InetAddress ip, boolean v4) {
        return v4 || !(ip instanceof Inet4Address) ? ip.getHostAddress() : "::ffff:" + ip.getHostAddress();
    }

    /**
     * Writes the header before the connect goes out: it waits in the channel's outbound buffer, ahead of whatever
     * the task writes once connected (the connect's listeners may run before any this handler could add), and is
     * flushed with it, or by this handler when the connection is up, for a target that speaks first.
     */
    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ctx.pipeline().addBefore(NAME, null, HAProxyMessageEncoder.INSTANCE);
        sent = true;
        ctx.write(header); // the encoder releases it
        ctx.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        promise.addListener(f -> {
            if (f.isSuccess()) {
                ctx.flush();
            }
            ctx.pipeline().remove(this);
        });
        ctx.connect(remote, local, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!sent) {
            header.release();
        }
    }
}
