package io.g3k.dataplane.server;

import io.g3k.config.ListenConfig;
import io.g3k.dataplane.runtime.TcpSocketOptions;
import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The listening sockets of one server (several with {@code listen_in_worker} or {@code instance}). Accepted
 * connections go to the current target server; a reload that keeps the listen spec hands the sockets to the new
 * server object, so the port never closes. SO_REUSEPORT lets a successor process bind the same port.
 */
public final class Listener {
    private final List<Channel> channels = new ArrayList<>();
    private volatile Server target;

    private Listener(Server target) {
        this.target = target;
    }

    static Listener bind(ListenConfig config, int instances, Transport transport, Server target) {
        Listener listener = new Listener(target);
        ServerBootstrap b = new ServerBootstrap().group(transport.workers())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        listener.target.accept(ch);
                    }
                });
        transport.listenerOptions(b, target.sharedReceiveBuffers());
        TcpSocketOptions options = TcpSocketOptions.listen(config, transport.kind(), "server '" + target.name() + "'");
        InetSocketAddress address = config.address();
        try {
            for (int i = 0; i < instances; i++) {
                // anew for each socket: a raw option's buffer is used up as it is set
                Channel channel = options.applyTo(b).bind(address).syncUninterruptibly().channel();
                listener.channels.add(channel);
                // with port 0, the other instances share the port the first one got
                address = (InetSocketAddress) channel.localAddress();
            }
        } catch (Exception e) {
            listener.close();
            throw new IllegalStateException("server '" + target.name() + "': cannot listen on " + config + ": "
                    + e.getMessage(), e);
        }
        return listener;
    }

    void retarget(Server server) {
        this.target = server;
    }

    List<InetSocketAddress> addresses() {
        return channels.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    void close() {
        channels.forEach(ch -> ch.close().syncUninterruptibly());
        channels.clear();
    }
}
