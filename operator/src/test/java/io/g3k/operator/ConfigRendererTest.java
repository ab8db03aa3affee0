package io.g3k.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.g3k.operator.render.ConfigRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden tests of the pure renderer: {@code render/<case>/input.yaml} (custom resources) must give exactly
 * {@code expected.yml} (the g3proxy config) and {@code results.yaml} (the verdicts). Run with
 * {@code -Dupdate.golden=true} to rewrite the expected files after an intended change.
 */
class ConfigRendererTest {
    static final Path CASES = Path.of("src/test/resources/render");
    static final YAMLMapper YAML = new YAMLMapper();

    static final Map<String, Secret> SECRETS = Map.of(
            "proxy-tls", new SecretBuilder().withNewMetadata().withName("proxy-tls").endMetadata()
                    .addToData("tls.crt", "Y2VydA==").addToData("tls.key", "a2V5").build(),
            "mitm-ca", new SecretBuilder().withNewMetadata().withName("mitm-ca").endMetadata()
                    .addToData("tls.crt", "Y2VydA==").addToData("tls.key", "a2V5").build(),
            "staff-users", new SecretBuilder().withNewMetadata().withName("staff-users").endMetadata()
                    .addToData("users.yaml", Base64.getEncoder().encodeToString("""
                            - name: root
                              token:
                                salt: 4e8f8a4e37f0fa1b
                                md5: d9d963915b9815d4cc39c196c2868900
                            """.getBytes(StandardCharsets.UTF_8))).build());

    static ConfigRenderer.Rendered render(String name, boolean shuffle) throws IOException {
        CustomResourceFiles crs = CustomResourceFiles.read(CASES.resolve(name).resolve("input.yaml"));
        if (shuffle) {
            Collections.reverse(crs.servers);
            Collections.reverse(crs.escapers);
        }
        return ConfigRenderer.render(crs.group, crs.modules(), secret -> Optional.ofNullable(SECRETS.get(secret)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "invalid"})
    void rendersTheGoldenOutput(String name) throws IOException {
        var rendered = render(name, false);
        Map<String, Object> verdicts = new java.util.LinkedHashMap<>();
        verdicts.put("valid", rendered.valid());
        verdicts.put("error", rendered.error());
        verdicts.put("ports", rendered.ports());
        verdicts.put("tlsSecrets", rendered.tlsSecrets());
        verdicts.put("results", rendered.results());
        String results = YAML.writeValueAsString(verdicts);
        Path dir = CASES.resolve(name);
        if (Boolean.getBoolean("update.golden")) {
            Files.writeString(dir.resolve("expected.yml"), rendered.yaml());
            Files.writeString(dir.resolve("results.yaml"), results);
        }
        assertThat(rendered.yaml()).isEqualTo(Files.readString(dir.resolve("expected.yml")));
        assertThat(results).isEqualTo(Files.readString(dir.resolve("results.yaml")));
        // the order objects come in does not change a byte (no needless pushes or restarts)
        assertThat(render(name, true).hash()).isEqualTo(rendered.hash());
    }
}
