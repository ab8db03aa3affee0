package io.g3k.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.g3k.operator.render.ConfigRenderer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** examples/k8s renders to a valid config with every object accepted and every reference resolved. */
class KubernetesExamplesTest {
    @Test
    void examplesRenderCleanly() throws Exception {
        Path dir = Path.of("../examples/k8s");
        CustomResourceFiles crs = CustomResourceFiles.read(dir.resolve("proxygroup.yaml"), dir.resolve("sni-and-tls.yaml"));
        crs.secrets.put("tls-stream-cert", new SecretBuilder().withNewMetadata().withName("tls-stream-cert").endMetadata()
                .addToData("tls.crt", "Y2VydA==").addToData("tls.key", "a2V5").build());
        var rendered = ConfigRenderer.render(crs.group, crs.modules(), name -> Optional.ofNullable(crs.secrets.get(name)));
        assertThat(rendered.valid()).as(rendered.error()).isTrue();
        assertThat(rendered.results().values()).allMatch(ConfigRenderer.ObjectResult::accepted)
                .allMatch(ConfigRenderer.ObjectResult::refsResolved);
        assertThat(rendered.ports()).containsEntry("http", 8080).containsEntry("socks", 1080).containsEntry("sni", 443);
        assertThat(rendered.tlsSecrets()).containsExactly("tls-stream-cert");
    }
}
