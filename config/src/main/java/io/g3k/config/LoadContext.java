package io.g3k.config;

import java.nio.file.Path;
import java.util.List;

/** Where an object being parsed came from: its file (for relative paths and errors) and the shared warning list. */
public record LoadContext(Path file, List<String> warnings) {
    public Path baseDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
