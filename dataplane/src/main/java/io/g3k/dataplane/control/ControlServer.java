package io.g3k.dataplane.control;

import io.g3k.dataplane.runtime.Controller;
import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control interface: HTTP/1.1 with JSON answers, on a Unix socket ({@code <dir>/<group>_<pid>.sock}, owner-only
 * permissions, as g3proxy's) and optionally on a TCP address where every call but {@code /healthz} and
 * {@code /metrics} needs the bearer token.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");
    /** A pushed config is a YAML file; bigger bodies are refused. */
    private static final int MAX_BODY = 8 << 20;

    private final List<Channel> channels = new ArrayList<>();
    private final List<Path> sockets = new ArrayList<>();
    /** Its own loop, so the control interface outlives the workers while a shutdown drains. */
    private final Transport loop;
    private Channel groupChannel;

    private ControlServer() {
        this.loop = Transport.side("g3k-control");
    }

    public static ControlServer start(Controller controller, Path socket, Optional<InetSocketAddress> tcp,
                                      Optional<String> token) throws IOException {
        ControlServer server = new ControlServer();
        if (server.unixSockets()) {
            server.bindUnix(controller, socket);
        } else {
            LOG.warn("control: Unix sockets need the epoll transport; only the TCP control address is available");
        }
        if (tcp.isPresent()) {
            if (token.isEmpty() && !tcp.get().getAddress().isLoopbackAddress()) {
                server.close();
                throw new IllegalArgumentException("a control address that is not loopback needs an admin token");
            }
            Channel ch = new ServerBootstrap().group(server.loop.workers()).channel(server.loop.serverChannel())
                    .childHandler(initializer(controller, token)).bind(tcp.get()).syncUninterruptibly().channel();
            server.channels.add(ch);
            LOG.info("control: listening on {}", ch.localAddress());
        }
        return server;
    }

    /**
     * Takes the group's well-known socket (after the predecessor released it, in a hot upgrade). The previous file,
     * if any, is replaced.
     */
    public void bindGroupSocket(Controller controller, Path socket) throws IOException {
        groupChannel = bindUnix(controller, socket);
        sockets.remove(socket);
    }

    /** Gives the group socket up for a successor: closed, and the file left for the successor to replace. */
    public void releaseGroupSocket() {
        if (groupChannel != null) {
            groupChannel.close().syncUninterruptibly();
            channels.remove(groupChannel);
            groupChannel = null;
        }
    }

    private Channel bindUnix(Controller controller, Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        Channel ch = new ServerBootstrap().group(loop.workers()).channel(EpollServerDomainSocketChannel.class)
                .childHandler(initializer(controller, Optional.empty()))
                .bind(new DomainSocketAddress(socket.toFile())).syncUninterruptibly().channel();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        channels.add(ch);
        sockets.add(socket);
        LOG.info("control: listening on {}", socket);
        return ch;
    }

    /** Unix sockets (the control socket, the group socket of hot upgrades) need the epoll transport. */
    public boolean unixSockets() {
        return loop.kind() == Transport.Kind.EPOLL;
    }

    public List<InetSocketAddress> tcpAddresses() {
        return channels.stream().filter(ch -> ch.localAddress() instanceof InetSocketAddress)
                .map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    private static ChannelInitializer<Channel> initializer(Controller controller, Optional<String> token) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY),
                        new ControlHandler(controller, token));
            }
        };
    }

    @Override
    public void close() {
        channels.forEach(ch -> ch.close().syncUninterruptibly());
        channels.clear();
        loop.workers().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        for (Path socket : sockets) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("control: cannot remove {}: {}", socket, e.getMessage());
            }
        }
    }
}
