package io.g3k.dataplane.util;

import io.g3k.dataplane.runtime.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Request/response over UDP with msgpack maps, one per datagram (g3proxy's helper protocols). Answers are matched
 * to requests by a key taken from the response; only the configured peer is listened to; a request that gets no
 * (valid) answer in time completes with null.
 */
public final class MsgPackUdpClient implements AutoCloseable {
    private final InetSocketAddress peer;
    private final Function<Map<String, Object>, Object> responseKey;
    private final Map<Object, Promise<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final Channel socket;

    public MsgPackUdpClient(Transport transport, InetSocketAddress peer,
                            Function<Map<String, Object>, Object> responseKey) {
        this.peer = peer;
        this.responseKey = responseKey;
        // bound now, off the event loops (a worker must never wait for a bind)
        this.socket = new Bootstrap().group(transport.workers()).channel(transport.datagramChannel())
                .handler(new Responses()).bind(0).syncUninterruptibly().channel();
    }

    public Future<Map<String, Object>> query(EventLoop loop, Object key, Map<String, Object> request, Duration timeout) {
        Promise<Map<String, Object>> answer = loop.newPromise();
        Promise<Map<String, Object>> previous = pending.putIfAbsent(key, answer);
        if (previous != null) {
            return previous;
        }
        socket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(MsgPack.encode(request)), peer));
        var timer = CoarseTimer.after(loop, timeout, () -> answer.trySuccess(null));
        answer.addListener(done -> {
            timer.cancel();
            pending.remove(key, answer);
        });
        return answer;
    }

    @Override
    public void close() {
        socket.close();
    }

    private final class Responses extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!packet.sender().equals(peer)) {
                return;
            }
            try {
                Map<String, Object> response = MsgPack.decodeMap(ByteBufUtil.getBytes(packet.content()));
                Object key = responseKey.apply(response);
                Promise<Map<String, Object>> answer = key == null ? null : pending.get(key);
                if (answer != null) {
                    answer.trySuccess(response);
                }
            } catch (IllegalArgumentException malformed) {
                // garbage from the peer: the request times out
            }
        }
    }
}
