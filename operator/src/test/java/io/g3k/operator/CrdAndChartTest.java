package io.g3k.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed CRDs are what the Java classes generate; the Helm chart lints clean and renders what we expect. */
class CrdAndChartTest {
    static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    static final Path CHART = Path.of("../charts/g3k");

    @Test
    void committedCrdsAreNotStale() throws IOException {
        List<Path> generated;
        try (Stream<Path> files = Files.list(GENERATED)) {
            generated = files.sorted().toList();
        }
        assertThat(generated).hasSize(6);
        for (Path dir : List.of(Path.of("../crds"), CHART.resolve("crds"))) {
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactlyElementsOf(generated.stream().map(p -> p.getFileName().toString()).toList());
            }
            for (Path crd : generated) {
                assertThat(Files.readString(dir.resolve(crd.getFileName())))
                        .as(dir + "/" + crd.getFileName() + " is stale: copy it from " + GENERATED)
                        .isEqualTo(Files.readString(crd));
            }
        }
    }

    @Test
    void chartLintsCleanAndRenders() {
        var lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        String rendered = new Helm(CHART).template().withName("g3k").withNamespace("g3k-system").call();
        List<HasMetadata> objects = Serialization.unmarshal(rendered);
        assertThat(objects).extracting(HasMetadata::getKind)
                .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment");
        Deployment operator = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        var container = operator.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getImage()).isEqualTo("ghcr.io/g3k/g3k-operator:0.1.0");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        ClusterRole role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();
        assertThat(role.getRules()).anyMatch(r -> r.getResources().contains("proxygroups/status"))
                .anyMatch(r -> r.getResources().contains("deployments") && r.getVerbs().contains("update"))
                .anyMatch(r -> r.getApiGroups().contains("policy") && r.getResources().contains("poddisruptionbudgets")
                        && r.getVerbs().containsAll(List.of("get", "create", "update")));
    }

    @Test
    void serviceMonitorIsOptIn() {
        String rendered = new Helm(CHART).template().withName("g3k").set("metrics.serviceMonitor.enabled", true).call();
        assertThat(rendered).contains("kind: ServiceMonitor").contains("path: /metrics");
        assertThat(new Helm(CHART).template().withName("g3k").call()).doesNotContain("ServiceMonitor");
    }
}
