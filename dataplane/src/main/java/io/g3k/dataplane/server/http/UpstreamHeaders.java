package io.g3k.dataplane.server.http;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.HttpForwardedHeaderType;
import io.g3k.dataplane.server.ClientAddress;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What a server does to a request's headers on the way upstream: {@code steal} (http_proxy's
 * {@code steal_forwarded_for}) drops the client's own {@code Forwarded} and {@code X-Forwarded-For}, so the origin
 * learns nothing of the hops before; {@code append} (http_rproxy's {@code append_forwarded_for}) adds this hop's
 * client to the list, after any the client sent; {@code dropDefaultPort} (http_proxy's
 * {@code drop_default_port_in_host}) sends {@code Host: example.com} for {@code example.com:80} (443 for https).
 */
public record UpstreamHeaders(boolean steal, HttpForwardedHeaderType append, boolean dropDefaultPort) {
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    /** Headers left as the client sent them. */
    public static final UpstreamHeaders AS_IS = new UpstreamHeaders(false, HttpForwardedHeaderType.DISABLE, false);

    void apply(HttpHeaders headers, Channel client) {
        if (steal) {
            headers.remove(FORWARDED);
            headers.remove(X_FORWARDED_FOR);
        }
        switch (append) {
            case DISABLE -> { }
            case CLASSIC -> ClientAddress.ip(client)
                    .ifPresent(ip -> append(headers, X_FORWARDED_FOR, ip.getHostAddress()));
            case STANDARD -> append(headers, FORWARDED,
                    "for=" + node(ClientAddress.of(client)) + ";by=" + node(client.localAddress()));
        }
    }

    /** The Host header as it goes upstream: the target's when the client sent none, its default port dropped if set. */
    void host(HttpHeaders headers, String scheme, UpstreamAddr target) {
        String sent = headers.get(HttpHeaderNames.HOST);
        String host = sent != null ? sent : target.toString();
        String defaultPort = scheme.equals("https") ? ":443" : scheme.equals("http") ? ":80" : null;
        if (dropDefaultPort && defaultPort != null && host.endsWith(defaultPort)) {
            host = host.substring(0, host.length() - defaultPort.length());
        }
        if (!host.equals(sent)) {
            headers.set(HttpHeaderNames.HOST, host);
        }
    }

    /** One field with the new element last: some origins read only the first X-Forwarded-For line. */
    private static void append(HttpHeaders headers, AsciiString name, String element) {
        var earlier = headers.getAll(name);
        headers.set(name, earlier.isEmpty() ? element : String.join(", ", earlier) + ", " + element);
    }

    /** An RFC 7239 node: an address with its port, quoted (the colon is not a token character). */
    private static String node(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return "unknown";
        }
        String host = inet.getAddress().getHostAddress();
        return "\"" + (inet.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort() + "\"";
    }
}
