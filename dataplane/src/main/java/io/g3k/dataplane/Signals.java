package io.g3k.dataplane;

import sun.misc.Signal;

/** POSIX signal hooks; each handler runs on its own thread so it may block (drain) without stalling the JVM. */
final class Signals {
    private Signals() {}

    static void on(String name, Runnable action) {
        Signal.handle(new Signal(name), s -> Thread.ofPlatform().name("g3k-signal-" + name).start(action));
    }
}
