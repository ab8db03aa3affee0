package io.g3k.dataplane.server.http;

import io.g3k.config.server.HttpCustomHeaders;
import io.g3k.dataplane.escape.NextProxy;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * g3proxy's X-BD-* headers on a response that came over {@code upstream} (see {@link HttpCustomHeaders}). The
 * "chained final" ones (upstream id, upstream address, outgoing IP) are set by the proxy nearest the target, so one
 * already in the response stays; the connection info is appended by every proxy on the way.
 */
final class CustomResponseHeaders {
    static final String UPSTREAM_ID = "X-BD-Upstream-Id";
    static final String UPSTREAM_ADDR = "X-BD-Upstream-Addr";
    static final String OUTGOING_IP = "X-BD-Outgoing-IP";
    static final String REMOTE_CONNECTION_INFO = "X-BD-Remote-Connection-Info";

    private record Header(String name, String value, boolean onlyIfAbsent) {}

    private CustomResponseHeaders() {}

    static void addTo(HttpHeaders headers, HttpCustomHeaders config, Channel upstream) {
        for (Header h : headers(config, upstream)) {
            if (!h.onlyIfAbsent() || !headers.contains(h.name())) {
                headers.add(h.name(), h.value());
            }
        }
    }

    /** Onto a raw head: its status line and header lines, each ending in CRLF, the blank line not yet written. */
    static void appendTo(ByteBuf head, HttpCustomHeaders config, Channel upstream) {
        for (Header h : headers(config, upstream)) {
            if (!h.onlyIfAbsent() || !contains(head, h.name())) {
                head.writeCharSequence(h.name() + ": " + h.value() + "\r\n", StandardCharsets.US_ASCII);
            }
        }
    }

    /** The headers to add; none (and no allocation) on the usual server that sets none of the keys. */
    private static List<Header> headers(HttpCustomHeaders config, Channel upstream) {
        if (!config.any()) {
            return List.of();
        }
        List<Header> out = new ArrayList<>(4);
        InetSocketAddress local = (InetSocketAddress) upstream.localAddress();
        InetSocketAddress remote = (InetSocketAddress) upstream.remoteAddress();
        config.serverId().ifPresent(id -> {
            if (config.markUpstream()) {
                out.add(new Header(UPSTREAM_ID, id, true));
            }
            out.add(new Header(REMOTE_CONNECTION_INFO, id + "; local=" + address(local) + "; remote="
                    + address(remote), false));
        });
        // through a next proxy, the far-most proxy's own headers (if it sends them) are the answer
        if (config.echoChainedInfo() && !NextProxy.leadsThrough(upstream) && remote != null && local != null) {
            out.add(new Header(UPSTREAM_ADDR, address(remote), true));
            out.add(new Header(OUTGOING_IP, NetUtil.toAddressString(local.getAddress()), true));
        }
        return out;
    }

    private static String address(InetSocketAddress address) {
        return address == null ? "unknown" : NetUtil.toSocketAddressString(address);
    }

    /** Whether a header line of this name is in the head (names compared without case). */
    private static boolean contains(ByteBuf head, String name) {
        String text = head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        return text.contains("\n" + name.toLowerCase(Locale.ROOT) + ":");
    }
}
