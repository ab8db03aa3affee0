package io.g3k.dataplane.limit;

import io.g3k.config.GlobalSpeedLimit;
import java.time.Duration;

/** What one direction of a UDP socket may still pass: datagrams are taken whole or not at all. */
interface UdpAllowance {
    UdpAllowance UNLIMITED = new UdpAllowance() {
        @Override
        public boolean tryTake(int size) {
            return true;
        }

        @Override
        public long nanosUntilMore() {
            return 0;
        }
    };

    /** Takes a datagram of {@code size} bytes if it fits now. */
    boolean tryTake(int size);

    /** Nanoseconds until more may fit. */
    long nanosUntilMore();

    /** g3proxy's per-socket limit: bytes and packets per time slice; a zero count is no limit on it. */
    final class Slices implements UdpAllowance {
        private final long sliceNanos;
        private final long bytes;
        private final long packets;
        private long sliceStart = System.nanoTime();
        private long usedBytes;
        private long usedPackets;

        Slices(Duration slice, long bytes, long packets) {
            this.sliceNanos = slice.toNanos();
            this.bytes = bytes;
            this.packets = packets;
        }

        /** One datagram larger than the whole byte budget still goes first in a slice. */
        @Override
        public boolean tryTake(int size) {
            long now = System.nanoTime();
            if (now - sliceStart >= sliceNanos) {
                sliceStart = now - (now - sliceStart) % sliceNanos;
                usedBytes = usedPackets = 0;
            }
            if ((bytes != 0 && usedBytes != 0 && usedBytes + size > bytes) || (packets != 0 && usedPackets + 1 > packets)) {
                return false;
            }
            usedBytes += size;
            usedPackets++;
            return true;
        }

        @Override
        public long nanosUntilMore() {
            return Math.max(0, sliceStart + sliceNanos - System.nanoTime());
        }
    }

    /**
     * g3proxy's global datagram limit ({@code udp_all_*}), shared by a user's sessions on every loop: buckets of bytes
     * and packets, {@code replenish_*} added every {@code replenish_interval}, up to {@code max_burst_*} saved. A
     * datagram larger than the byte burst goes when the bucket is full. Thread-safe.
     */
    final class Shared implements UdpAllowance {
        private final double bytesPerNano;
        private final double packetsPerNano;
        private final long burstBytes;
        private final long burstPackets;
        private double bytes;
        private double packets;
        private long last = System.nanoTime();
        private long wanted; // the last datagram refused: what the bucket must hold for it

        Shared(GlobalSpeedLimit limit) {
            double interval = limit.replenishInterval().toNanos();
            this.bytesPerNano = limit.replenishBytes() / interval;
            this.packetsPerNano = limit.replenishPackets() / interval;
            this.burstBytes = limit.maxBurstBytes();
            this.burstPackets = limit.maxBurstPackets();
            this.bytes = burstBytes;
            this.packets = burstPackets;
        }

        private void refill() {
            long now = System.nanoTime();
            bytes = Math.min(burstBytes, bytes + (now - last) * bytesPerNano);
            packets = Math.min(burstPackets, packets + (now - last) * packetsPerNano);
            last = now;
        }

        @Override
        public synchronized boolean tryTake(int size) {
            refill();
            long need = Math.min(size, burstBytes);
            if ((burstBytes != 0 && bytes < need) || (burstPackets != 0 && packets < 1)) {
                wanted = need;
                return false;
            }
            bytes -= burstBytes == 0 ? 0 : size;
            packets -= burstPackets == 0 ? 0 : 1;
            return true;
        }

        @Override
        public synchronized long nanosUntilMore() {
            refill();
            double forBytes = burstBytes == 0 ? 0 : Math.max(0, wanted - bytes) / bytesPerNano;
            double forPackets = burstPackets == 0 ? 0 : Math.max(0, 1 - packets) / packetsPerNano;
            return (long) Math.ceil(Math.max(forBytes, forPackets));
        }
    }
}
