package io.g3k.dataplane.server;

import io.g3k.config.AclAction;
import io.g3k.config.ListenConfig;
import io.g3k.config.NetworkFilter;
import io.g3k.config.server.ServerBase;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening server. Subclasses say how a connection's pipeline starts ({@link #initChild}); binding (SO_REUSEPORT,
 * so a successor process or {@code listen_in_worker} can bind the same port), the ingress filter, the per-socket
 * speed limit, and handing over connections from port servers in front are shared.
 */
public abstract class Server {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    private final ServerBase base;
    private final int workerThreads;
    private final List<Channel> listeners = new ArrayList<>();
    protected final ServerContext context;

    protected Server(ServerBase base, ServerContext context) {
        this.base = base;
        this.context = context;
        this.workerThreads = context.transport().threads();
    }

    public String name() {
        return base.name();
    }

    /** Adds this server's protocol handlers to a connected channel; the channel may already be active. */
    protected abstract void initChild(Channel ch);

    /**
     * Takes a connection accepted here or by a port server in front: checks the ingress filter against the
     * client address (announced by PROXY protocol when there was one), applies the speed limit, then hands over.
     */
    public void accept(Channel ch) {
        Optional<NetworkFilter> filter = base.ingressNetworkFilter();
        if (filter.isPresent() && ClientAddress.of(ch) instanceof InetSocketAddress client) {
            AclAction action = filter.get().check(client.getAddress());
            if (!action.permits()) {
                if (action == AclAction.FORBID_LOG) {
                    LOG.info("server '{}': client {} denied by ingress_network_filter", name(), client);
                }
                ch.close();
                return;
            }
        }
        base.tcpSockSpeedLimit().ifPresent(limit -> ch.pipeline().addFirst("speed-limit",
                new ChannelTrafficShapingHandler(limit, limit, 100)));
        initChild(ch);
    }

    /** Binds the listen address, if any. Throws with the server name when the address cannot be bound. */
    public void start() {
        if (base.listen().isEmpty()) {
            return;
        }
        ListenConfig config = base.listen().get();
        ServerBootstrap b = new ServerBootstrap().group(context.transport().workers())
                .channel(context.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch);
                    }
                });
        boolean reusePort = context.transport().kind().equals("epoll");
        if (reusePort) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        int instances = base.listenInWorker() && reusePort ? Math.max(config.instance(), workerThreads) : config.instance();
        InetSocketAddress address = config.address();
        for (int i = 0; i < instances; i++) {
            try {
                Channel listener = b.bind(address).syncUninterruptibly().channel();
                listeners.add(listener);
                // with port 0, the other instances share the port the first one got
                address = (InetSocketAddress) listener.localAddress();
            } catch (Exception e) {
                stop();
                throw new IllegalStateException("server '" + name() + "': cannot listen on " + config + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** The bound addresses (useful when the config asked for port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return listeners.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    /** Stops accepting; established connections stay until they finish. */
    public void stop() {
        listeners.forEach(ch -> ch.close().syncUninterruptibly());
        listeners.clear();
    }
}
