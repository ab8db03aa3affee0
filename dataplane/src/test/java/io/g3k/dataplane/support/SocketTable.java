package io.g3k.dataplane.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Linux's table of TCP sockets, for what a process holds that its peer cannot see (a socket it never closed). */
public final class SocketTable {
    private SocketTable() {}

    /**
     * Whether a local socket on {@code localPort}, connected to {@code remotePort}, is still held open: ESTABLISHED,
     * or CLOSE_WAIT (the peer's FIN is in); once closed it would be FIN_WAIT or LAST_ACK while the kernel ends it.
     */
    public static boolean held(int localPort, int remotePort) throws IOException {
        // Netty's native sockets are dual-stack: the connection may be in tcp6, as ::ffff:127.0.0.1
        Pattern row = Pattern.compile(String.format("^\\s*\\d+: \\p{XDigit}+:%04X \\p{XDigit}+:%04X 0[18] ", localPort, remotePort));
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            if (Files.readAllLines(Path.of(table)).stream().anyMatch(r -> row.matcher(r).find())) {
                return true;
            }
        }
        return false;
    }

    /** How many local sockets are connected to {@code remotePort}: {@code established} ones only, or in any state. */
    public static long connectionsTo(int remotePort, boolean established) throws IOException {
        Pattern row = Pattern.compile(String.format("^\\s*\\d+: \\p{XDigit}+:\\p{XDigit}{4} \\p{XDigit}+:%04X %s ",
                remotePort, established ? "01" : "\\p{XDigit}{2}"));
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            count += Files.readAllLines(Path.of(table)).stream().filter(r -> row.matcher(r).find()).count();
        }
        return count;
    }
}
