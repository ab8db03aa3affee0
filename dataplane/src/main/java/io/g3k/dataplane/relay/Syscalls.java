package io.g3k.dataplane.relay;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoll relay's reads and writes as direct system calls: libc's {@code syscall} through a critical downcall of
 * the JDK's foreign function API, which skips what a JNI call costs on each side of the system call (the thread's
 * state changes, Netty's JNI stub, libc's cancellation-point wrapper around {@code send} and {@code recv}: together
 * 4.3% of the SNI relay's CPU in a profile). Errors are not decoded here: a call that fails returns -1 and the caller
 * repeats it through Netty's socket, which reports EAGAIN and errors its usual way; failures are rare (a full socket,
 * a reset), so they may cost two calls.
 *
 * <p>The API is final from JDK 22 and g3k builds for 21, so the handle is made reflectively; where that fails (JDK
 * 21, a libc without {@code syscall}, native access denied) {@link #AVAILABLE} is false and the relay uses Netty's
 * calls alone.
 */
final class Syscalls {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");
    private static final long SYS_RECVFROM = 45;
    private static final long SYS_SENDTO = 44;
    private static final long MSG_DONTWAIT = 0x40;
    private static final long MSG_NOSIGNAL = 0x4000;
    /** {@code long syscall(long number, ...)}, called with six long arguments after the number. */
    private static final MethodHandle SYSCALL = syscall();
    static final boolean AVAILABLE = SYSCALL != null;

    private Syscalls() {}

    /** Reads up to {@code length} bytes to {@code address}: the count, 0 at the end of the stream, -1 on an error. */
    static int recv(int fd, long address, int length) {
        try {
            return (int) (long) SYSCALL.invokeExact(SYS_RECVFROM, (long) fd, address, (long) length, MSG_DONTWAIT, 0L,
                    0L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code length} bytes from {@code address}: the count written, -1 on an error (EAGAIN among them). */
    static int send(int fd, long address, int length) {
        try {
            return (int) (long) SYSCALL.invokeExact(SYS_SENDTO, (long) fd, address, (long) length,
                    MSG_DONTWAIT | MSG_NOSIGNAL, 0L, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle syscall() {
        if (!"amd64".equals(System.getProperty("os.arch")) || !"Linux".equals(System.getProperty("os.name"))) {
            return null; // the system call numbers above are x86-64 Linux's
        }
        try {
            Class<?> linker = Class.forName("java.lang.foreign.Linker");
            Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Object nativeLinker = linker.getMethod("nativeLinker").invoke(null);
            Object lookup = linker.getMethod("defaultLookup").invoke(nativeLinker);
            Optional<?> symbol = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                    .getMethod("find", String.class).invoke(lookup, "syscall");
            if (symbol.isEmpty()) {
                return null;
            }
            Object javaLong = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);
            Object arguments = Array.newInstance(layout, 7);
            for (int i = 0; i < 7; i++) {
                Array.set(arguments, i, javaLong);
            }
            Object function = descriptor.getMethod("of", layout, layout.arrayType()).invoke(null, javaLong, arguments);
            Object options = Array.newInstance(option, 2);
            Array.set(options, 0, option.getMethod("firstVariadicArg", int.class).invoke(null, 1));
            // critical: no thread state change around the call; fine for a call that cannot block (non-blocking sockets)
            Array.set(options, 1, option.getMethod("critical", boolean.class).invoke(null, false));
            return (MethodHandle) linker.getMethod("downcallHandle", segment, descriptor, option.arrayType())
                    .invoke(nativeLinker, symbol.get(), function, options);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("relay: no direct system calls ({}), Netty's only", e.toString());
            return null;
        }
    }
}
