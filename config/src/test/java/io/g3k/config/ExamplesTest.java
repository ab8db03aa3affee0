package io.g3k.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every config under examples/ (the guide's snippets and scenario nodes among them) loads and validates. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    @TestFactory
    Stream<DynamicTest> everyExampleLoads() throws IOException {
        List<Path> mains;
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            mains = files.filter(p -> p.getFileName().toString().equals("main.yml")
                    || p.toString().contains("scenarios") && p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(mains).hasSizeGreaterThan(10);
        return mains.stream().map(main -> DynamicTest.dynamicTest(EXAMPLES.relativize(main).toString(), () -> {
            G3Config config = ConfigLoader.load(main);
            assertThat(config.servers()).isNotEmpty();
        }));
    }

    @Test
    void theGuidesDanglingPortTargetIsAWarningNotAnError() {
        G3Config config = ConfigLoader.load(EXAMPLES.resolve("guide/multiple_ports_sni/main.yml"));
        assertThat(config.warnings()).anyMatch(w -> w.contains("next server 'sni_proxy' is not defined"));
    }
}
