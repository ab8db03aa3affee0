package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A certificate or key as g3proxy takes it: PEM text written into the config (a string that starts with
 * {@code --}) or the path of a PEM file, relative to the config file's directory.
 */
public record PemValue(Optional<Path> file, String inline) {
    /** g3proxy reads at most this much of a certificate file (4 MB), so a wrong path cannot exhaust memory. */
    private static final int MAX_FILE_SIZE = 4_000_000;

    public static PemValue of(Path file) {
        return new PemValue(Optional.of(file), "");
    }

    public static PemValue parse(JsonNode node, Path baseDir) {
        String text = Values.string(node);
        if (text.strip().startsWith("--")) {
            return new PemValue(Optional.empty(), text);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("expected PEM text or the path of a PEM file, got an empty string");
        }
        return of(baseDir.resolve(text.strip()));
    }

    /** One value or a list of them (a chain spread over several files or strings). */
    public static List<PemValue> parseList(JsonNode node, Path baseDir) {
        List<PemValue> out = new ArrayList<>();
        for (JsonNode item : Values.items(node)) {
            out.add(parse(item, baseDir));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("expected at least one certificate");
        }
        return List.copyOf(out);
    }

    public String read() throws IOException {
        if (file.isEmpty()) {
            return inline;
        }
        try (InputStream in = Files.newInputStream(file.get())) {
            byte[] bytes = in.readNBytes(MAX_FILE_SIZE + 1);
            if (bytes.length > MAX_FILE_SIZE) {
                throw new IOException(file.get() + " is larger than " + MAX_FILE_SIZE + " bytes: not a PEM file");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    @Override
    public String toString() {
        return file.map(Path::toString).orElse("the inline PEM text");
    }
}
