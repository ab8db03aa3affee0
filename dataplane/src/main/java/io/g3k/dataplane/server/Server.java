package io.g3k.dataplane.server;

import io.g3k.config.ListenConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A listening server. Subclasses only say how an accepted connection's pipeline starts; binding (SO_REUSEPORT,
 * so a successor process can bind the same port), and closing the listeners are shared.
 */
public abstract class Server {
    private final String name;
    private final Optional<ListenConfig> listen;
    protected final ServerContext context;
    private final List<Channel> listeners = new ArrayList<>();

    protected Server(String name, Optional<ListenConfig> listen, ServerContext context) {
        this.name = name;
        this.listen = listen;
        this.context = context;
    }

    public String name() {
        return name;
    }

    protected abstract void initChild(SocketChannel ch);

    /** Binds the listen address, if any. Throws with the server name when the address cannot be bound. */
    public void start() {
        if (listen.isEmpty()) {
            return;
        }
        ListenConfig config = listen.get();
        ServerBootstrap b = new ServerBootstrap().group(context.transport().workers())
                .channel(context.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initChild(ch);
                    }
                });
        if (context.transport().kind().equals("epoll")) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        for (int i = 0; i < config.instance(); i++) {
            try {
                listeners.add(b.bind(config.address()).syncUninterruptibly().channel());
            } catch (Exception e) {
                stop();
                throw new IllegalStateException("server '" + name + "': cannot listen on " + config + ": "
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
