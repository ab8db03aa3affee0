package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A ProxyGroup: renders its modules into one g3proxy config, writes the Secret the pods boot from, the
 * Deployment, its PodDisruptionBudget and the Service, pushes the config to every ready pod, and reports "N/M pods
 * applied" and how the Deployment's rollout goes. An invalid bundle is reported and never replaces the config already
 * running.
 */
@ControllerConfiguration(name = "proxygroup")
public class ProxyGroupReconciler implements Reconciler<ProxyGroup> {
    private static final String DATAPLANE = "app.kubernetes.io/name=g3k-dataplane";
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
        sources.add(byLabel(Pod.class, G3k.INSTANCE_LABEL, DATAPLANE, context));
        // its rollout's progress; not its spec, which this reconciler writes itself (no loop on our own writes)
        sources.add(byLabel(Deployment.class, G3k.INSTANCE_LABEL, DATAPLANE, context,
                (now, before) -> !Objects.equals(now.getStatus(), before.getStatus())));
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, ProxyGroup> byLabel(
            Class<R> kind, String label, String selector, EventSourceContext<ProxyGroup> context) {
        return byLabel(kind, label, selector, context, (now, before) -> true);
    }

    private static <R extends HasMetadata> InformerEventSource<R, ProxyGroup> byLabel(
            Class<R> kind, String label, String selector, EventSourceContext<ProxyGroup> context,
            OnUpdateFilter<R> onUpdate) {
        var config = InformerEventSourceConfiguration.from(kind, ProxyGroup.class).withOnUpdateFilter(onUpdate)
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
        ConfigRenderer.Rendered rendered = GroupModules.render(client, group, context); // modules from the informers
        Deployment current = context.getSecondaryResource(Deployment.class).orElse(null); // the informer's copy
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
            Deployment deployment = Workloads.deployment(group, rendered);
            if (current != null) {
                // the Deployment's controller's: an API server ignores it in an update, a mock one might not
                deployment.setStatus(current.getStatus());
            }
            apply(deployment);
            apply(Workloads.podDisruptionBudget(group));
            apply(Workloads.service(group, rendered));
            status.configHash = rendered.hash();
            status.restartHash = Workloads.restartHash(group, rendered.tlsSecrets());
        }
        rollout(group, status, current, generation);
        List<Pod> pods = List.copyOf(context.getSecondaryResources(Pod.class)); // the pod informer's copies
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
        boolean settled = programmed && Conditions.isTrue(status.conditions, Rollout.TYPE);
        return UpdateControl.patchStatus(group).rescheduleAfter(Duration.ofSeconds(settled ? 30 : 5));
    }

    /** Mirrors the Deployment's rollout into {@code RolledOut}, with an Event when Kubernetes gives up on one. */
    private void rollout(ProxyGroup group, ProxyGroupStatus status, Deployment current, Long generation) {
        Rollout rollout = Rollout.of(current);
        boolean stuckBefore = status.conditions.stream().anyMatch(c -> c.getType().equals(Rollout.TYPE)
                && c.getReason().equals(Rollout.STUCK));
        status.conditions = Conditions.set(status.conditions, Rollout.TYPE, rollout.done(), rollout.reason(),
                rollout.message(), generation);
        if (rollout.reason().equals(Rollout.STUCK) && !stuckBefore) {
            Events.warn(client, group, Rollout.STUCK, rollout.message());
        }
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
