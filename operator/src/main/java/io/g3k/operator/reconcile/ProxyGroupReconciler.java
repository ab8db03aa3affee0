package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.g3k.operator.api.Auditor;
import io.g3k.operator.api.Escaper;
import io.g3k.operator.api.G3k;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.ProxyGroupStatus;
import io.g3k.operator.api.Resolver;
import io.g3k.operator.api.Server;
import io.g3k.operator.api.UserGroup;
import io.g3k.operator.push.ConfigPusher;
import io.g3k.operator.render.ConfigRenderer;
import io.g3k.operator.workload.Workloads;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A ProxyGroup: renders its modules into one g3proxy config, writes the Secret the pods boot from, the
 * Deployment, its PodDisruptionBudget and the Service, pushes the config to every ready pod, and reports "N/M pods
 * applied". An invalid bundle is reported and never replaces the config already running.
 */
@ControllerConfiguration(name = "proxygroup")
public class ProxyGroupReconciler implements Reconciler<ProxyGroup> {
    private final KubernetesClient client;
    private final ConfigPusher pusher;

    public ProxyGroupReconciler(KubernetesClient client, ConfigPusher pusher) {
        this.client = client;
        this.pusher = pusher;
    }

    @Override
    public List<EventSource<?, ProxyGroup>> prepareEventSources(EventSourceContext<ProxyGroup> context) {
        List<EventSource<?, ProxyGroup>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : List.of(Server.class, Escaper.class, Resolver.class,
                UserGroup.class, Auditor.class)) {
            sources.add(byLabel(kind, G3k.GROUP_LABEL, null, context));
        }
        sources.add(byLabel(Pod.class, G3k.INSTANCE_LABEL, "app.kubernetes.io/name=g3k-dataplane", context));
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, ProxyGroup> byLabel(
            Class<R> kind, String label, String selector, EventSourceContext<ProxyGroup> context) {
        var config = InformerEventSourceConfiguration.from(kind, ProxyGroup.class)
                .withName(kind.getSimpleName().toLowerCase())
                .withSecondaryToPrimaryMapper(r -> {
                    String group = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(label);
                    return group == null ? Set.of() : Set.of(new ResourceID(group, r.getMetadata().getNamespace()));
                });
        if (selector != null) {
            config.withLabelSelector(selector);
        }
        return new InformerEventSource<>(config.build(), context);
    }

    @Override
    public UpdateControl<ProxyGroup> reconcile(ProxyGroup group, Context<ProxyGroup> context) {
        Long generation = group.getMetadata().getGeneration();
        ProxyGroupStatus status = group.getStatus() == null ? new ProxyGroupStatus() : group.getStatus();
        ConfigRenderer.Rendered rendered = GroupModules.render(client, group);
        String token = adminToken(group);
        if (!rendered.valid()) {
            status.conditions = Conditions.set(status.conditions, "Accepted", false, "InvalidConfig",
                    rendered.error() + " (the running config is kept)", generation);
            if (!rendered.error().equals(status.configHash)) {
                Events.warn(client, group, "InvalidConfig", rendered.error());
            }
        } else {
            status.conditions = Conditions.set(status.conditions, "Accepted", true, "Valid",
                    "modules render to a valid config", generation);
            apply(Workloads.dataplaneServiceAccount(group));
            apply(Workloads.configSecret(group, rendered));
            apply(Workloads.deployment(group, rendered));
            apply(Workloads.podDisruptionBudget(group));
            apply(Workloads.service(group, rendered));
            status.configHash = rendered.hash();
            status.restartHash = Workloads.restartHash(group, rendered.tlsSecrets());
        }
        List<Pod> pods = client.pods().inNamespace(group.getMetadata().getNamespace())
                .withLabels(Workloads.podLabels(group)).list().getItems();
        pusher.retain(pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet()));
        List<Pod> ready = pods.stream().filter(ProxyGroupReconciler::ready).toList();
        int applied = 0;
        List<String> errors = List.of();
        if (rendered.valid()) {
            var outcome = pusher.push(ready, group.getSpec().adminPort, token, rendered.yaml(), rendered.hash());
            applied = outcome.applied();
            errors = outcome.errors();
        }
        status.readyPods = ready.size();
        status.appliedPods = applied;
        boolean programmed = rendered.valid() && !ready.isEmpty() && applied == ready.size();
        status.conditions = Conditions.set(status.conditions, "Programmed", programmed,
                programmed ? "Applied" : ready.isEmpty() ? "NoReadyPods" : "Pending",
                applied + "/" + ready.size() + " pods applied config " + status.configHash
                        + (errors.isEmpty() ? "" : "; " + String.join("; ", errors)), generation);
        status.observedGeneration = generation;
        group.setStatus(status);
        return UpdateControl.patchStatus(group).rescheduleAfter(Duration.ofSeconds(programmed ? 30 : 5));
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getPodIP() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                && c.getStatus().equals("True"));
    }

    /** The bearer token the pods require; made once per group and kept in a Secret. */
    private String adminToken(ProxyGroup group) {
        Secret existing = client.secrets().inNamespace(group.getMetadata().getNamespace())
                .withName(Workloads.adminSecret(group)).get();
        if (existing != null && existing.getData() != null && existing.getData().get("token") != null) {
            return new String(Base64.getDecoder().decode(existing.getData().get("token")), StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        apply(Workloads.adminSecret(group, token));
        return token;
    }

    private void apply(HasMetadata object) {
        client.resource(object).createOr(NonDeletingOperation::update);
    }
}
