package io.g3k.dataplane.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Directories a fixture makes outside JUnit's {@code @TempDir}, and removes again when it stops. */
public final class TempDirs {
    private TempDirs() {
    }

    /** Deletes the directory and everything in it; a directory already gone is fine. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
