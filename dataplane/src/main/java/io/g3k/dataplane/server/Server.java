package io.g3k.dataplane.server;

import io.g3k.config.TcpKeepalive;
import io.g3k.dataplane.runtime.TcpSocketOptions;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.config.AclAction;
import io.g3k.config.ListenConfig;
import io.g3k.config.NetworkFilter;
import io.g3k.config.server.ServerBase;
import io.netty.channel.Channel;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.limit.SpeedLimits;
import io.g3k.dataplane.task.IdleWatch;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server. Subclasses say how a connection's pipeline starts ({@link #initChild}); listening (see {@link Listener}),
 * the ingress filter, the per-socket speed limit, and taking connections from port servers in front are shared.
 */
public abstract class Server {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    private final ServerBase base;
    private final int workerThreads;
    private final TcpSocketOptions socketOptions;
    private final Relay.Reads relayReads;
    private Listener listener;
    protected final ServerContext context;

    protected Server(ServerBase base, ServerContext context) {
        this.base = base;
        this.context = context;
        this.workerThreads = context.transport().threads();
        // listen's keepalive is set on each accepted connection, with the server's tcp_misc_opts
        this.socketOptions = TcpSocketOptions.of(base.listen().map(ListenConfig::keepalive).orElse(TcpKeepalive.DISABLED),
                base.tcpMiscOpts(), context.transport().kind(),
                "server '" + base.name() + "'");
        this.relayReads = Relay.reads(base.copyBuffers());
    }

    public String name() {
        return base.name();
    }

    /**
     * The loops this server's connections run on: the workers, or for a server that only relays bytes their
     * {@link Transport#relays() relays}.
     */
    protected Transport transport() {
        return context.transport();
    }

    /**
     * Whether this server's connections carry requests and responses, which on io_uring read best into their loop's
     * shared receive buffers, rather than bulk streams ({@link Transport} says why).
     */
    protected boolean sharedReceiveBuffers() {
        return false;
    }

    /** Adds this server's protocol handlers to a connected channel; the channel may already be active. */
    protected abstract void initChild(Channel ch);

    /**
     * Takes a connection accepted here or by a port server in front: checks the ingress filter against the
     * client address (announced by PROXY protocol when there was one), applies the speed limit, then hands over.
     */
    public void accept(Channel ch) {
        context.stats().connectionTotal.increment();
        context.stats().listenAccepted.increment();
        Optional<NetworkFilter> filter = base.ingressNetworkFilter();
        if (filter.isPresent() && ClientAddress.of(ch) instanceof InetSocketAddress client) {
            AclAction action = filter.get().check(client.getAddress());
            if (!action.permits()) {
                if (action == AclAction.FORBID_LOG) {
                    LOG.info("server '{}': client {} denied by ingress_network_filter", name(), client);
                }
                context.stats().listenDropped.increment();
                ch.close();
                return;
            }
        }
        socketOptions.applyTo(ch);
        ch.attr(IdleWatch.CHECK).set(base.taskIdleCheck());
        if (relayReads != null) {
            ch.attr(Relay.READS).set(relayReads);
        }
        base.tcpSockSpeedLimit().ifPresent(limit -> SpeedLimits.addTcp(ch, "speed-limit", limit, SpeedLimits.Side.CLIENT));
        initChild(ch);
    }

    /** Binds the listen address, if any. Throws with the server name when the address cannot be bound. */
    public void start() {
        start(null);
    }

    /**
     * Starts in place of {@code previous} (a reload): when the listen spec is the same, its sockets are taken over
     * and never close; otherwise new sockets are bound, and the caller stops the previous server afterwards.
     */
    public void start(Server previous) {
        if (base.listen().isEmpty()) {
            return;
        }
        ListenConfig config = base.listen().get();
        boolean reusePort = transport().reusePort();
        int configured = config.instances(Runtime.getRuntime().availableProcessors());
        int instances = base.listenInWorker() && reusePort ? Math.max(configured, workerThreads) : configured;
        context.stats().online(true);
        if (previous != null && previous.listener != null && sameSpec(previous, instances)) {
            listener = previous.listener;
            previous.listener = null;
            listener.retarget(this);
            context.stats().listenInstances(listener.addresses().size());
            return;
        }
        listener = Listener.bind(config, instances, transport(), this);
        context.stats().listenInstances(listener.addresses().size());
    }

    private boolean sameSpec(Server previous, int instances) {
        return previous.transport() == transport()
                && previous.base.listen().equals(base.listen()) && previous.base.listenInWorker() == base.listenInWorker()
                && previous.listener.addresses().size() == instances;
    }

    public boolean isListening() {
        return listener != null;
    }

    /** The bound addresses (useful when the config asked for port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return listener == null ? List.of() : listener.addresses();
    }

    /** Stops accepting; established connections stay until they finish. */
    public void stop() {
        if (listener != null) {
            context.stats().online(false);
            context.stats().listenInstances(0);
            listener.close();
            listener = null;
        }
    }
}
