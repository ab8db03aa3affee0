package io.g3k.dataplane.auth;

import io.g3k.config.ResolveStrategy;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.auth.ExplicitSite;
import io.g3k.config.auth.UserConfig;
import io.g3k.dataplane.limit.GlobalStreamLimiter;
import io.g3k.dataplane.limit.SpeedLimits;
import io.g3k.dataplane.stat.Stats;
import io.netty.channel.ChannelHandler;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An authenticated user's policy at run time: destination filters, rate and concurrency limits, explicit sites
 * and resolution tweaks. A user object lives as long as its config is unchanged, so its limits hold across
 * connections.
 */
public final class User {
    /** Why a task was refused; each protocol turns it into its own error. */
    public enum Denial { USER_BLOCKED, SRC_BLOCKED, PROTO_BANNED, UA_BLOCKED, DEST_DENIED, RATE_LIMITED, FULLY_LOADED }

    /** The outcome of {@link #admit}: refused, or let through with the target to resolve and the site it hit. */
    public sealed interface Admission {
        record Denied(Denial reason) implements Admission {}

        record Granted(UpstreamAddr target, Optional<ExplicitSite> site, Optional<ResolveStrategy> strategy)
                implements Admission {}
    }

    private final String group;
    private final boolean dynamic;
    private final UserConfig config;
    private final TokenBucket connectionRate;
    private final TokenBucket requestRate;
    private final GlobalStreamLimiter tcpAllSpeedLimit;
    private final Supplier<ChannelHandler> udpAllSpeedLimit;
    private final AtomicInteger alive = new AtomicInteger();

    User(String group, UserConfig config, boolean dynamic) {
        this.group = group;
        this.dynamic = dynamic;
        this.config = config;
        this.connectionRate = config.tcpConnRateLimit().map(TokenBucket::new).orElse(null);
        this.requestRate = config.requestRateLimit().map(TokenBucket::new).orElse(null);
        var global = config.globalSpeedLimits();
        this.tcpAllSpeedLimit = global.tcp() ? new GlobalStreamLimiter(global.tcpUpload(), global.tcpDownload()) : null;
        this.udpAllSpeedLimit = global.udp() ? SpeedLimits.udpShared(global.udpUpload(), global.udpDownload()) : null;
    }

    public String name() {
        return config.name();
    }

    public String group() {
        return group;
    }

    /** The user's metric tags: group, name, and whether it is a static or a dynamic user. */
    public Stats.UserKey statsKey() {
        return new Stats.UserKey(group, config.name(), dynamic ? "Dynamic" : "Static");
    }

    public UserConfig config() {
        return config;
    }

    boolean expired() {
        return config.expire().map(e -> Instant.now().isAfter(e)).orElse(false);
    }

    /** The user's own {@code task_idle_max_count}, which overrides its server's. */
    public OptionalInt taskIdleMaxCount() {
        return config.taskIdleMaxCount();
    }

    public Optional<TcpKeepalive> tcpRemoteKeepalive() {
        return config.tcpRemoteKeepalive();
    }

    public Optional<TcpMiscOpts> tcpRemoteMiscOpts() {
        return config.tcpRemoteMiscOpts();
    }

    public Optional<TcpMiscOpts> tcpClientMiscOpts() {
        return config.tcpClientMiscOpts();
    }

    public Optional<SocketSpeedLimit> tcpSockSpeedLimit() {
        return config.tcpSockSpeedLimit();
    }

    public Optional<SocketSpeedLimit> udpSockSpeedLimit() {
        return config.udpSockSpeedLimit();
    }

    /** {@code tcp_all_upload_speed_limit} / {@code tcp_all_download_speed_limit}: shared by all the user's connections. */
    public Optional<GlobalStreamLimiter> tcpAllSpeedLimit() {
        return Optional.ofNullable(tcpAllSpeedLimit);
    }

    /** {@code udp_all_upload_speed_limit} / {@code udp_all_download_speed_limit}: a handler for a session's client socket. */
    public Optional<ChannelHandler> udpAllSpeedLimit() {
        return Optional.ofNullable(udpAllSpeedLimit).map(Supplier::get);
    }

    /** A new client connection for this user: false when {@code tcp_conn_rate_limit} is exhausted. */
    public boolean admitConnection() {
        return connectionRate == null || connectionRate.tryAcquire();
    }

    /**
     * A new task of {@code kind} (http_forward, http_connect, socks_tcp_connect…) from {@code client} towards
     * {@code target} (null for a UDP session, whose datagrams are filtered one by one): {@code block_and_delay},
     * {@code ingress_network_filter}, {@code proxy_request_filter}, {@code http_user_agent_filter} (for a forwarded
     * HTTP request, whose {@code userAgents} are given; null for other tasks), the destination filters, then
     * {@code request_rate_limit}, then {@code request_max_alive}. A granted admission holds a slot until
     * {@link #release()}.
     */
    public Admission admit(UpstreamAddr target, InetAddress client, String kind, List<String> userAgents) {
        if (config.blockAndDelay().isPresent()) {
            return new Admission.Denied(Denial.USER_BLOCKED);
        }
        if (client != null && config.ingressNetworkFilter().isPresent()
                && !config.ingressNetworkFilter().get().check(client).permits()) {
            return new Admission.Denied(Denial.SRC_BLOCKED);
        }
        if (config.proxyRequestFilter().isPresent() && !config.proxyRequestFilter().get().check(kind).permits()) {
            return new Admission.Denied(Denial.PROTO_BANNED);
        }
        if (userAgents != null && config.httpUserAgentFilter().isPresent()
                && !config.httpUserAgentFilter().get().check(userAgents).permits()) {
            return new Admission.Denied(Denial.UA_BLOCKED);
        }
        if (target != null && !permitsDestination(target)) {
            return new Admission.Denied(Denial.DEST_DENIED);
        }
        if (requestRate != null && !requestRate.tryAcquire()) {
            return new Admission.Denied(Denial.RATE_LIMITED);
        }
        if (config.requestMaxAlive().isPresent() && alive.incrementAndGet() > config.requestMaxAlive().getAsInt()) {
            alive.decrementAndGet();
            return new Admission.Denied(Denial.FULLY_LOADED);
        } else if (config.requestMaxAlive().isEmpty()) {
            alive.incrementAndGet();
        }
        if (target == null) {
            return new Admission.Granted(null, Optional.empty(), config.resolveStrategy());
        }
        Optional<ExplicitSite> site = config.explicitSites().stream().filter(s -> s.matches(target)).findFirst();
        String host = config.resolveRedirection().apply(target.host());
        UpstreamAddr resolved = host.equals(target.host()) ? target : new UpstreamAddr(host, target.port());
        return new Admission.Granted(resolved, site, site.flatMap(ExplicitSite::resolveStrategy)
                .or(config::resolveStrategy));
    }

    /** The destination filters alone ({@code dst_port_filter}, {@code dst_host_filter_set}); per UDP datagram too. */
    public boolean permitsDestination(UpstreamAddr target) {
        return config.dstFilters().permits(target);
    }

    public void release() {
        alive.decrementAndGet();
    }
}
