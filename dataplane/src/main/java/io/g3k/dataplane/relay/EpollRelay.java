package io.g3k.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * The relay's second stage on epoll loops: once a tunnel's two sockets carry nothing but its bytes (no TLS, no speed
 * limit, no tap), they leave their Netty channels' loop registrations and this relay moves the bytes itself,
 * registered with the same loop through Netty's {@link EpollIoHandle}: a read and a write per wake-up, with no buffer
 * allocated, no pipeline and no outbound queue in between (8–9% less CPU per small relayed request than the pipeline
 * relay in duels, which is what nginx stream was ahead by). Edge-triggered, with EPOLLOUT registered from the start
 * as nginx does, so back-pressure costs no epoll_ctl: a side that cannot pass all it read keeps the rest and stops
 * reading until its peer's socket takes it.
 *
 * <p>Reads land in one buffer per loop; a partly written read keeps that buffer (the loop takes a new one), so an
 * idle tunnel holds none. The channels stay the sockets' owners: ending closes them.
 */
final class EpollRelay {
    private static final EpollIoOps OPS = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLOUT)
            .with(EpollIoOps.EPOLLET);
    private static final EpollIoOps READABLE = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLERR);
    private static final FastThreadLocal<ByteBuf> SCRATCH = new FastThreadLocal<>();
    /** The largest read: tcp_copy_buffer_size may say up to 1 GiB, the pipeline relay's reads stop at 1 MiB too. */
    private static final int MAX_READ = 1 << 20;

    private final Relay relay;
    private final int largest;
    private final int inRow;
    private final Side client;
    private final Side upstream;
    private boolean ended;

    /** A relay for two channels of one loop, to {@link #start} once they have left its registrations. */
    EpollRelay(Relay relay, Relay.Reads reads, Channel client, Channel upstream) {
        this.relay = relay;
        this.largest = Math.min(reads.largest(), MAX_READ);
        this.inRow = reads.inRow();
        this.client = new Side(client, "client");
        this.upstream = new Side(upstream, "upstream");
        this.client.peer = this.upstream;
        this.upstream.peer = this.client;
    }

    /** Whether this relay can take over the pair: both plain epoll sockets on one loop. */
    static boolean fits(Channel client, Channel upstream) {
        return client instanceof EpollSocketChannel && upstream instanceof EpollSocketChannel
                && client.eventLoop() == upstream.eventLoop() && client.eventLoop() instanceof IoEventLoop;
    }

    /**
     * Registers both sockets; {@code fromClient} / {@code fromUpstream}: bytes read before the handover (may be
     * null), passed on first. Called on the channels' loop.
     */
    void start(ByteBuf fromClient, ByteBuf fromUpstream) {
        client.carry(fromClient);
        upstream.carry(fromUpstream);
        IoEventLoop loop = (IoEventLoop) client.channel.eventLoop();
        client.register(loop);
        upstream.register(loop);
        client.passPending();
        upstream.passPending();
    }

    /** Stops moving bytes and closes both sockets. */
    void close() {
        if (ended) {
            return;
        }
        ended = true;
        client.stop();
        upstream.stop();
    }

    private void fail(String reason) {
        relay.end(reason);
    }

    /** One socket of the pair and the bytes read from it that its peer has not yet taken. */
    private final class Side implements EpollIoHandle {
        private final Channel channel;
        private final Socket socket;
        private final int descriptor;
        private final String name;
        private final LongConsumer counter;
        private Side peer;
        private IoRegistration registration;
        private ByteBuf pending;
        private boolean eof;
        /** This socket's remote end sent its FIN: read to the end, since no further edge comes for it. */
        private boolean rdHup;

        Side(Channel channel, String name) {
            this.channel = channel;
            this.socket = (Socket) ((EpollSocketChannel) channel).fd();
            this.descriptor = socket.intValue();
            this.name = name;
            this.counter = name.equals("client") ? relay.clientToUpstream : relay.upstreamToClient;
        }

        /** Bytes read from this side before the handover: they go first, then this side reads. */
        void carry(ByteBuf bytes) {
            if (bytes == null || !bytes.isReadable()) {
                if (bytes != null) {
                    bytes.release();
                }
                return;
            }
            // a buffer of its own: a decoder's may be a slice of one it shares, not to be read into later
            pending = ByteBufAllocator.DEFAULT.directBuffer(bytes.readableBytes());
            pending.writeBytes(bytes);
            bytes.release();
        }

        void register(IoEventLoop loop) {
            loop.register(this).addListener(f -> {
                if (!f.isSuccess()) {
                    failed(f.cause());
                } else if (ended) {
                    ((IoRegistration) f.getNow()).cancel();
                } else {
                    registration = (IoRegistration) f.getNow();
                    registration.submit(OPS); // edge-triggered: bytes already waiting give the first edge
                }
            });
            // a channel closed elsewhere (a shutdown, a kill) ends the relay
            channel.closeFuture().addListener(f -> fail(name.equals("client") ? "ClientClosed" : "UpstreamClosed"));
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (ops.contains(EpollIoOps.EPOLLERR) && broken()) {
                return;
            }
            if (ops.contains(EpollIoOps.EPOLLOUT)) {
                peer.passPending(); // this socket takes bytes again
            }
            rdHup |= ops.contains(EpollIoOps.EPOLLRDHUP);
            if (!ended && (ops.value() & READABLE.value()) != 0) {
                read();
            }
        }

        /**
         * Ends the relay with this socket's error (a reset, say), if it has one: a side that stopped reading while
         * its peer is full, or after its FIN, would not see it otherwise.
         */
        private boolean broken() {
            try {
                int error = socket.getSoError();
                if (error == 0) {
                    return false;
                }
                failed(Errors.newIOException("recv", -error));
            } catch (IOException | RuntimeException e) {
                failed(e);
            }
            return true;
        }

        /** Reads and passes on until the socket is empty (edge-triggered), its peer is full, or the turn is over. */
        private void read() {
            if (eof || ended) {
                return;
            }
            if (pending != null) {
                return; // until the peer takes it: passPending reads on
            }
            ByteBuf buf = scratch();
            for (int i = 0; i < inRow; i++) {
                int n;
                try {
                    n = recv(buf.memoryAddress());
                } catch (IOException | RuntimeException e) {
                    failed(e);
                    return;
                }
                if (n == 0) {
                    return; // EAGAIN
                }
                if (n < 0) {
                    atEof();
                    return;
                }
                relay.reads++;
                counter.accept(n);
                buf.setIndex(0, n);
                if (!peer.write(buf)) {
                    pending = buf;
                    SCRATCH.remove(); // the loop takes a new buffer: this one holds the rest until the peer drains
                    return;
                }
                if (ended || n < largest && !rdHup) {
                    return; // a short read emptied the socket: the next bytes give a new edge
                }
            }
            ((IoEventLoop) channel.eventLoop()).execute(this::read); // others on this loop get a turn
        }

        /** Reads into {@code address} as Netty's socket does: the count, 0 when empty (EAGAIN), -1 at the end. */
        private int recv(long address) throws IOException {
            if (Syscalls.AVAILABLE) {
                int n = Syscalls.recv(descriptor, address, largest);
                if (n >= 0) {
                    return n == 0 ? -1 : n;
                }
            }
            return socket.recvAddress(address, 0, largest); // sorts out EAGAIN from errors
        }

        /** Writes what {@code buf} holds to this socket; false when some is left (the socket is full). */
        private boolean write(ByteBuf buf) {
            try {
                int written = Syscalls.AVAILABLE
                        ? Syscalls.send(descriptor, buf.memoryAddress() + buf.readerIndex(), buf.readableBytes()) : -1;
                if (written < 0) {
                    written = socket.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex());
                }
                buf.skipBytes(written);
                return !buf.isReadable();
            } catch (IOException | RuntimeException e) { // Netty's socket calls raise ENOTCONN and the like unchecked
                failed(e);
                return true;
            }
        }

        /** Passes on the bytes read from this side that the peer could not take yet; then reads on. */
        private void passPending() {
            if (pending == null || ended || !peer.write(pending)) {
                return;
            }
            release(pending);
            pending = null;
            if (eof) {
                afterLastByte();
            } else {
                read(); // this side stopped reading while the bytes waited (edge-triggered: no edge comes again)
            }
        }

        /** A call on this side's socket failed: the relay ends with this side's error. */
        private void failed(Throwable e) {
            fail((name.equals("client") ? "ClientError: " : "UpstreamError: ") + e.getMessage());
        }

        private void atEof() {
            eof = true;
            relay.eofs++;
            if (pending == null) {
                afterLastByte();
            }
        }

        /** Everything this side sent has reached its peer: the FIN goes on, or, the other way done too, the end. */
        private void afterLastByte() {
            if (relay.eofs == 2 && peer.pending == null) {
                relay.end(name.equals("client") ? "ClientClosed" : "UpstreamClosed");
                return;
            }
            try {
                peer.socket.shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                peer.failed(e);
            }
        }

        void stop() {
            if (registration != null) {
                registration.cancel();
            }
            if (pending != null) {
                release(pending);
                pending = null;
            }
            // closed after the loop's current batch of ready events: a socket closed now frees its number for the
            // next accept or connect, and an event of this batch for the old socket would go to the new one
            try {
                channel.eventLoop().execute(channel::close);
            } catch (RejectedExecutionException e) {
                channel.close(); // the loop is shutting down: no more batches to mind
            }
        }

        @Override
        public void close() throws Exception {
            // the loop is shutting down
            fail(name.equals("client") ? "ClientClosed" : "UpstreamClosed");
        }
    }

    private ByteBuf scratch() {
        ByteBuf buf = SCRATCH.get();
        if (buf == null || buf.capacity() < largest) {
            if (buf != null) {
                buf.release();
            }
            buf = ByteBufAllocator.DEFAULT.directBuffer(largest, largest);
            SCRATCH.set(buf);
        }
        return buf.clear();
    }

    /** A drained buffer goes back to the loop if it has none, else to the allocator. */
    private void release(ByteBuf buf) {
        if (SCRATCH.get() == null && buf.capacity() >= largest) {
            SCRATCH.set(buf.clear());
        } else {
            buf.release();
        }
    }
}
