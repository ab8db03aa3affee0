package io.g3k.dataplane.runtime;

import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.ListenConfig;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcp_keepalive} and {@code tcp_misc_opts} as the channel options of a transport, worked out once per escaper
 * or server and set on each of its TCP sockets. epoll and io_uring take any option (setsockopt by level and name);
 * NIO only what the JDK has (no delay, keepalive, TOS), and says once which ones it leaves out.
 */
public final class TcpSocketOptions {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");
    public static final TcpSocketOptions NONE = new TcpSocketOptions(List.of());
    // Linux's levels and option names
    private static final IntegerUnixChannelOption KEEPIDLE = new IntegerUnixChannelOption("G3K_TCP_KEEPIDLE", 6, 4);
    private static final IntegerUnixChannelOption KEEPINTVL = new IntegerUnixChannelOption("G3K_TCP_KEEPINTVL", 6, 5);
    private static final IntegerUnixChannelOption KEEPCNT = new IntegerUnixChannelOption("G3K_TCP_KEEPCNT", 6, 6);
    private static final IntegerUnixChannelOption MAXSEG = new IntegerUnixChannelOption("G3K_TCP_MAXSEG", 6, 2);
    private static final IntegerUnixChannelOption TTL = new IntegerUnixChannelOption("G3K_IP_TTL", 0, 2);
    private static final IntegerUnixChannelOption HOPS = new IntegerUnixChannelOption("G3K_IPV6_UNICAST_HOPS", 41, 16);
    private static final IntegerUnixChannelOption TCLASS = new IntegerUnixChannelOption("G3K_IPV6_TCLASS", 41, 67);
    private static final IntegerUnixChannelOption MARK = new IntegerUnixChannelOption("G3K_SO_MARK", 1, 36);
    /** TCP_CONGESTION takes the name's bytes; a raw option has a fixed length, so one per length. */
    private static final Map<Integer, RawUnixChannelOption> CONGESTION = new ConcurrentHashMap<>();
    private static final Map<Integer, RawUnixChannelOption> BIND_TO_DEVICE = new ConcurrentHashMap<>();

    /** An option and its value, made anew for each socket (a raw option's buffer is read as it is set). */
    private record Opt<T>(ChannelOption<T> option, Supplier<T> value) {
        static <T> Opt<T> of(ChannelOption<T> option, T value) {
            return new Opt<>(option, () -> value);
        }

        void on(AbstractBootstrap<?, ?> b) {
            b.option(option, value.get());
        }

        void on(Channel ch) {
            try {
                ch.config().setOption(option, value.get());
            } catch (ChannelException e) {
                LOG.debug("{}: cannot set {}: {}", ch, option, e.getMessage());
            }
        }
    }

    private final List<Opt<?>> opts;

    private TcpSocketOptions(List<Opt<?>> opts) {
        this.opts = opts;
    }

    /** The options for a transport; {@code owner} ("escaper 'x'") names who asked in the NIO warning. */
    public static TcpSocketOptions of(TcpKeepalive keepalive, TcpMiscOpts misc, Transport.Kind kind, String owner) {
        boolean nio = kind == Transport.Kind.NIO;
        List<Opt<?>> opts = new ArrayList<>();
        misc.noDelay().ifPresent(on -> opts.add(Opt.of(ChannelOption.TCP_NODELAY, on)));
        misc.typeOfService().ifPresent(tos -> opts.add(Opt.of(ChannelOption.IP_TOS, tos)));
        if (keepalive.enabled()) {
            opts.add(Opt.of(ChannelOption.SO_KEEPALIVE, true));
            int idle = (int) keepalive.idleTime().toSeconds();
            opts.add(nio ? Opt.of(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle) : Opt.of(KEEPIDLE, idle));
            keepalive.probeInterval().map(d -> (int) d.toSeconds()).ifPresent(s -> opts.add(nio
                    ? Opt.of(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), s) : Opt.of(KEEPINTVL, s)));
            keepalive.probeCount().ifPresent(n -> opts.add(nio
                    ? Opt.of(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), n) : Opt.of(KEEPCNT, n)));
        }
        // the rest have no JDK option: native transports only
        Map<String, Opt<?>> nativeOnly = new LinkedHashMap<>();
        misc.maxSegmentSize().ifPresent(v -> nativeOnly.put("max_segment_size", Opt.of(MAXSEG, v)));
        misc.timeToLive().ifPresent(v -> nativeOnly.put("time_to_live", Opt.of(TTL, v)));
        misc.hopLimit().ifPresent(v -> nativeOnly.put("hop_limit", Opt.of(HOPS, v)));
        misc.trafficClass().ifPresent(v -> nativeOnly.put("traffic_class", Opt.of(TCLASS, v)));
        misc.netfilterMark().ifPresent(v -> nativeOnly.put("netfilter_mark", Opt.of(MARK, v)));
        misc.congestionControl().ifPresent(name -> {
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            RawUnixChannelOption option = CONGESTION.computeIfAbsent(bytes.length,
                    n -> new RawUnixChannelOption("G3K_TCP_CONGESTION_" + n, 6, 13, n));
            nativeOnly.put("congestion_control", new Opt<>(option, () -> ByteBuffer.wrap(bytes)));
        });
        if (nio && !nativeOnly.isEmpty()) {
            LOG.warn("{}: tcp_misc_opts {} need the epoll or io_uring transport and are not set on NIO",
                    owner, String.join(", ", nativeOnly.keySet()));
        } else {
            opts.addAll(nativeOnly.values());
        }
        return opts.isEmpty() ? NONE : new TcpSocketOptions(List.copyOf(opts));
    }

    /**
     * An escaper's options and, made once for each distinct user setting, those of the tasks whose user adjusts them
     * ({@code tcp_remote_keepalive}, {@code tcp_remote_misc_opts}; see {@link TcpKeepalive#adjustTo}).
     */
    public static final class Adjustable {
        private final TcpKeepalive keepalive;
        private final TcpMiscOpts misc;
        private final Transport.Kind kind;
        private final String owner;
        private final TcpSocketOptions own;
        private final Map<List<Object>, TcpSocketOptions> adjusted = new ConcurrentHashMap<>();

        public Adjustable(TcpKeepalive keepalive, TcpMiscOpts misc, Transport.Kind kind, String owner) {
            this.keepalive = keepalive;
            this.misc = misc;
            this.kind = kind;
            this.owner = owner;
            this.own = of(keepalive, misc, kind, owner);
        }

        public TcpSocketOptions forUser(Optional<TcpKeepalive> userKeepalive, Optional<TcpMiscOpts> userMisc) {
            if (userKeepalive.isEmpty() && userMisc.isEmpty()) {
                return own;
            }
            return adjusted.computeIfAbsent(List.of(userKeepalive, userMisc), k -> of(
                    userKeepalive.map(keepalive::adjustTo).orElse(keepalive), userMisc.map(misc::adjustTo).orElse(misc),
                    kind, owner));
        }
    }

    /**
     * A listening socket's: {@code interface} (SO_BINDTODEVICE), {@code max_segment_size} and {@code netfilter_mark},
     * which accepted connections inherit.
     */
    public static TcpSocketOptions listen(ListenConfig listen, Transport.Kind kind, String owner) {
        TcpSocketOptions misc = of(TcpKeepalive.DISABLED, listen.listenOptions(), kind, owner);
        if (listen.interfaceName().isEmpty()) {
            return misc;
        }
        if (kind == Transport.Kind.NIO) {
            LOG.warn("{}: listen interface {} needs the epoll or io_uring transport and is not set on NIO", owner,
                    listen.interfaceName().get());
            return misc;
        }
        byte[] name = listen.interfaceName().get().getBytes(StandardCharsets.US_ASCII);
        RawUnixChannelOption device = BIND_TO_DEVICE.computeIfAbsent(name.length,
                n -> new RawUnixChannelOption("G3K_SO_BINDTODEVICE_" + n, 1, 25, n));
        List<Opt<?>> opts = new ArrayList<>(misc.opts);
        opts.add(new Opt<>(device, () -> ByteBuffer.wrap(name)));
        return new TcpSocketOptions(List.copyOf(opts));
    }

    /** On a connection about to be made, or a listening socket (after the bootstrap's own options, so these win). */
    public <B extends AbstractBootstrap<B, ?>> B applyTo(B b) {
        opts.forEach(o -> o.on(b));
        return b;
    }

    /** On an accepted connection. */
    public void applyTo(Channel ch) {
        opts.forEach(o -> o.on(ch));
    }
}
