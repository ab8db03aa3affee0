package io.g3k.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes as a g3proxy config file: loaded, or refused with a ConfigException that says where; nothing else.
 * The seeds are the guide's snippets and the examples.
 */
class ConfigFuzzTest {
    private static final Path FILE = file();

    private static Path file() {
        try {
            Path dir = Files.createTempDirectory("g3k-config-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("main.yml");
            file.toFile().deleteOnExit(); // registered last, deleted first: the directory must be empty to go
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void loadsAnyFile(byte[] yaml) throws IOException {
        Files.write(FILE, yaml);
        try {
            assertThat(ConfigLoader.load(FILE)).isNotNull();
        } catch (ConfigException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
