package io.g3k.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.operator.api.G3k;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.ProxyGroupSpec;
import io.g3k.operator.render.ConfigRenderer;
import io.g3k.operator.workload.Workloads;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data-plane workload as a pure function of the ProxyGroup and its rendered config. */
class WorkloadsTest {
    static ProxyGroup group() {
        ProxyGroup pg = new ProxyGroup();
        pg.getMetadata().setName("edge");
        pg.getMetadata().setNamespace("prod");
        pg.setSpec(new ProxyGroupSpec());
        pg.getSpec().image = "g3k/dataplane:1";
        pg.getSpec().replicas = 3;
        pg.getSpec().drainTimeout = "2m";
        return pg;
    }

    static ConfigRenderer.Rendered rendered(String yaml) {
        return new ConfigRenderer.Rendered(yaml, "h", true, "", Map.of(), List.of("edge-tls"), Map.of("http", 8080));
    }

    @Test
    void rollsSurgeFirstAndDrainsWithinTheGracePeriod() {
        var d = Workloads.deployment(group(), rendered("a"));
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(130L);
        assertThat(pod.getServiceAccountName()).isEqualTo("edge-dataplane");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var container = pod.getContainers().getFirst();
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getPorts()).anyMatch(p -> p.getContainerPort() == 8080);
        assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/g3k/secrets/edge-tls"));
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true").containsKey(G3k.RESTART_HASH);
    }

    /** Node drains take the pods one at a time, and a single replica can still be evicted. */
    @Test
    void aDisruptionBudgetLetsOnePodGoAtATime() {
        var budget = Workloads.podDisruptionBudget(group());
        var d = Workloads.deployment(group(), rendered("a"));
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getMinAvailable()).isNull();
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ProxyGroup"));
    }

    @Test
    void onlyNonReloadableInputsChangeTheRestartHash() {
        ProxyGroup pg = group();
        String base = Workloads.restartHash(pg, List.of("edge-tls"));
        assertThat(Workloads.deployment(pg, rendered("config one")).getSpec().getTemplate())
                .isEqualTo(Workloads.deployment(pg, rendered("config two")).getSpec().getTemplate());
        pg.getSpec().image = "g3k/dataplane:2";
        assertThat(Workloads.restartHash(pg, List.of("edge-tls"))).isNotEqualTo(base);
        ProxyGroup other = group();
        other.getSpec().pod.nodeSelector.put("pool", "edge");
        other.getSpec().pod.annotations.put("team", "net");
        assertThat(Workloads.restartHash(other, List.of("edge-tls"))).isNotEqualTo(base);
        var template = Workloads.deployment(other, rendered("a")).getSpec().getTemplate();
        assertThat(template.getSpec().getNodeSelector()).containsEntry("pool", "edge");
        assertThat(template.getMetadata().getAnnotations()).containsEntry("team", "net");
    }

    /** Unset, the data plane picks io_uring or epoll itself; set, the pods get G3K_TRANSPORT and roll. */
    @Test
    void aTransportAskedForReachesThePodsAndRollsThem() {
        ProxyGroup pg = group();
        String base = Workloads.restartHash(pg, List.of("edge-tls"));
        assertThat(Workloads.deployment(pg, rendered("a")).getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getEnv()).isEmpty();
        pg.getSpec().transport = "epoll";
        assertThat(Workloads.deployment(pg, rendered("a")).getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getEnv()).singleElement().satisfies(env -> {
                    assertThat(env.getName()).isEqualTo("G3K_TRANSPORT");
                    assertThat(env.getValue()).isEqualTo("epoll");
                });
        assertThat(Workloads.restartHash(pg, List.of("edge-tls"))).isNotEqualTo(base);
    }
}
