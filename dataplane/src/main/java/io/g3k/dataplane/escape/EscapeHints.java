package io.g3k.dataplane.escape;

import io.g3k.config.ResolveStrategy;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.dataplane.server.ClientAddress;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What a task tells its escaper beyond the target: the client's address (route_client, sticky picks, an escaper's
 * PROXY protocol header) and the server's it came to (that header's destination), the user (route_query), a user's or
 * explicit site's resolve strategy, and for a forwarded HTTP request its scheme ({@code http}, {@code https},
 * {@code ftp}), which a next HTTP proxy may take as it is (see {@link HttpProxyForward}), and the user's
 * {@code tcp_remote_keepalive} / {@code tcp_remote_misc_opts}.
 */
public record EscapeHints(Optional<ResolveStrategy> strategy, Optional<InetSocketAddress> clientAddress,
                          Optional<InetSocketAddress> serverAddress, Optional<String> user,
                          Optional<String> httpForwardScheme, Optional<TcpKeepalive> userKeepalive,
                          Optional<TcpMiscOpts> userMiscOpts) {
    public static final EscapeHints NONE = new EscapeHints(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Hints for a task on this client connection (its announced address when behind PROXY protocol). */
    public static EscapeHints of(Channel client, Optional<ResolveStrategy> strategy) {
        return of(client, strategy, Optional.empty());
    }

    public static EscapeHints of(Channel client, Optional<ResolveStrategy> strategy, Optional<String> user) {
        Optional<InetSocketAddress> from = ClientAddress.of(client) instanceof InetSocketAddress a
                ? Optional.of(a) : Optional.empty();
        Optional<InetSocketAddress> to = client.localAddress() instanceof InetSocketAddress a
                ? Optional.of(a) : Optional.empty();
        return new EscapeHints(strategy, from, to, user, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The client's IP address. */
    public Optional<InetAddress> client() {
        return clientAddress.map(InetSocketAddress::getAddress);
    }

    /** These hints with the user's adjustments to the escaper's upstream socket options. */
    public EscapeHints withUserSockets(Optional<TcpKeepalive> keepalive, Optional<TcpMiscOpts> miscOpts) {
        return new EscapeHints(strategy, clientAddress, serverAddress, user, httpForwardScheme, keepalive, miscOpts);
    }

    /** These hints for a forwarded request of the given scheme rather than a tunnel. */
    public EscapeHints forHttpForward(String scheme) {
        return new EscapeHints(strategy, clientAddress, serverAddress, user, Optional.of(scheme), userKeepalive,
                userMiscOpts);
    }
}
