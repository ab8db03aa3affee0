package io.g3k.dataplane.control;

import java.nio.file.Path;

/** Where control sockets live: {@code <dir>/<group>_<pid>.sock} per process, {@code <dir>/<group>.sock} per group. */
public final class ControlPaths {
    private ControlPaths() {}

    public static Path defaultDir() {
        String runtime = System.getenv("RUNTIME_DIRECTORY");
        return Path.of(runtime != null && !runtime.isBlank() ? runtime : "/tmp/g3k");
    }

    public static Path process(Path dir, String group, long pid) {
        return dir.resolve(group + "_" + pid + ".sock");
    }

    public static Path group(Path dir, String group) {
        return dir.resolve(group + ".sock");
    }
}
