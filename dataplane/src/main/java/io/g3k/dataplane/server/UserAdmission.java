package io.g3k.dataplane.server;

import io.g3k.config.HttpKeepAlive;
import io.g3k.config.ResolveStrategy;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.auth.UserAudit;
import io.g3k.config.auth.ExplicitSite;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.runtime.TcpSocketOptions;
import io.g3k.dataplane.stat.UserConnectionStats;
import io.g3k.dataplane.stat.UserForbiddenStats;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.g3k.dataplane.limit.SpeedLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What every server does with an authenticated user, in one place: the per-connection checks (connection rate,
 * per-user socket speed limit) and the per-task admission (destination filters, request rate, concurrency,
 * explicit site, resolve redirection), counted into the user's stats.
 */
public final class UserAdmission {
    private static final String SPEED_LIMIT = "user-speed-limit";
    private static final io.netty.util.AttributeKey<Boolean> COUNTED = io.netty.util.AttributeKey.valueOf("g3k.user.counted");

    /** A task that may go on: where to connect (after redirection), how to resolve, and the owning user. */
    public record Ticket(UpstreamAddr target, Optional<ResolveStrategy> strategy, Optional<User> user,
                         Optional<ExplicitSite> site) {
        public static Ticket anonymous(UpstreamAddr target) {
            return new Ticket(target, Optional.empty(), Optional.empty(), Optional.empty());
        }

        /** The user's {@code audit} settings; empty for an anonymous task. */
        public Optional<UserAudit> audit() {
            return user.map(u -> u.config().audit());
        }

        /** The hints for the escaper: this connection's client and the resolve strategy. */
        public io.g3k.dataplane.escape.EscapeHints hints(Channel client) {
            var hints = io.g3k.dataplane.escape.EscapeHints.of(client, strategy, user.map(User::name));
            return user.isEmpty() ? hints : hints.withUserSockets(user.get().tcpRemoteKeepalive(),
                    user.get().tcpRemoteMiscOpts());
        }

        /** How much of a request's URI the task log shows: the user's {@code log_uri_max_chars}, else the server's. */
        public int logUriMaxChars(int server) {
            return user.isEmpty() ? server : user.get().config().logUriMaxChars().orElse(server);
        }

        /** The wait for a response head: the explicit site's, else the user's, else the server's. */
        public Duration rspHeaderRecvTimeout(Duration server) {
            if (site.isPresent() && site.get().httpRspHeaderRecvTimeout().isPresent()) {
                return site.get().httpRspHeaderRecvTimeout().get();
            }
            return user.isEmpty() ? server : user.get().config().httpRspHeaderRecvTimeout().orElse(server);
        }

        /** Whether the upstream connection is kept for the next request: the server's, adjusted by the user's. */
        public HttpKeepAlive upstreamKeepalive(HttpKeepAlive server) {
            return user.isEmpty() ? server : user.get().config().httpUpstreamKeepalive().map(server::adjustTo)
                    .orElse(server);
        }

        /** Binds the task to the user, who gets the slot back when the task ends. */
        public Task own(Task task) {
            user.ifPresent(u -> task.user(u, site));
            return task;
        }
    }

    private UserAdmission() {}

    /** Counts refused known users (wrong password, expired) into their stats on this server. */
    public static UserGroup.Refusals refusals(ServerContext context, String server) {
        return (user, expired) -> {
            UserForbiddenStats stats = context.tasks().stats().userForbidden(user.statsKey(), server);
            (expired ? stats.userExpired : stats.authFailed).increment();
        };
    }

    /**
     * Once per client connection ({@code connection} is http or socks, as g3proxy tags it); false when the user's
     * connection rate is exhausted. The user's {@code tcp_client_misc_opts} adjust the server's on the socket.
     */
    public static boolean connection(ServerContext context, String server, String connection, Channel ch, User user) {
        if (ch.attr(COUNTED).get() != null) {
            return true;
        }
        if (!user.admitConnection()) {
            context.tasks().stats().userForbidden(user.statsKey(), server).rateLimited.increment();
            return false;
        }
        ch.attr(COUNTED).set(true);
        UserConnectionStats stats = context.tasks().stats().userConnection(user.statsKey(), server, connection);
        stats.connectionTotal.increment();
        stats.l7ConnectionAlive.increment();
        ch.closeFuture().addListener(f -> stats.l7ConnectionAlive.decrement());
        user.tcpSockSpeedLimit().ifPresent(limit -> SpeedLimits.addTcp(ch, SPEED_LIMIT, limit, SpeedLimits.Side.CLIENT));
        user.tcpAllSpeedLimit().ifPresent(limit -> limit.attach(ch));
        user.tcpClientMiscOpts().ifPresent(opts -> TcpSocketOptions.of(TcpKeepalive.DISABLED,
                context.tcpMiscOpts().adjustTo(opts), context.transport().kind(), "user '" + user.name() + "'").applyTo(ch));
        return true;
    }

    /**
     * Admits a task, or says why not (and counts it): the server's destination filters first (a UDP session's
     * datagrams are checked one by one), then the user's.
     */
    public static Ticket admit(ServerContext context, String server, Optional<User> user, UpstreamAddr target,
                               Channel client, String kind) throws Refused {
        return admit(context, server, user, target, client, kind, null);
    }

    /** As above, for a forwarded HTTP request with its {@code User-Agent} values ({@code http_user_agent_filter}). */
    public static Ticket admit(ServerContext context, String server, Optional<User> user, UpstreamAddr target,
                               Channel client, String kind, List<String> userAgents) throws Refused {
        if (target != null && !context.dstFilters().permits(target)) {
            context.stats().forbiddenDestDenied.increment();
            throw new Refused(User.Denial.DEST_DENIED, Duration.ZERO);
        }
        if (user.isEmpty()) {
            return Ticket.anonymous(target);
        }
        User u = user.get();
        InetAddress clientIp = ClientAddress.of(client) instanceof InetSocketAddress a ? a.getAddress() : null;
        return switch (u.admit(target, clientIp, kind, userAgents)) {
            case User.Admission.Granted g -> new Ticket(g.target(), g.strategy(), user, g.site());
            case User.Admission.Denied d -> {
                UserForbiddenStats stats = context.tasks().stats().userForbidden(u.statsKey(), server);
                switch (d.reason()) {
                    case USER_BLOCKED -> stats.userBlocked.increment();
                    case SRC_BLOCKED -> stats.srcBlocked.increment();
                    case PROTO_BANNED -> stats.protoBanned.increment();
                    case UA_BLOCKED -> stats.uaBlocked.increment();
                    case DEST_DENIED -> stats.destDenied.increment();
                    case RATE_LIMITED -> stats.rateLimited.increment();
                    case FULLY_LOADED -> stats.fullyLoaded.increment();
                }
                throw new Refused(d.reason(), d.reason() == User.Denial.USER_BLOCKED
                        ? u.config().blockAndDelay().orElse(Duration.ZERO) : Duration.ZERO);
            }
        };
    }

    /** A task the user may not run; the refusal goes out after {@code delay} (a blocked user's). */
    public static final class Refused extends Exception {
        public final User.Denial reason;
        private final Duration delay;

        Refused(User.Denial reason, Duration delay) {
            super(reason.toString(), null, false, false);
            this.reason = reason;
            this.delay = delay;
        }

        /** Sends the refusal: now, or after the delay with nothing more read from the client meanwhile. */
        public void answer(ChannelHandlerContext ctx, Runnable reply) {
            if (delay.isZero()) {
                reply.run();
                return;
            }
            ctx.channel().config().setAutoRead(false);
            CoarseTimer.after(ctx.executor(), delay, reply);
        }
    }
}
