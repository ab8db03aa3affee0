package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.G3k;
import io.fabric8.kubernetes.client.CustomResource;
import io.g3k.operator.api.ModuleSpec;
import io.g3k.operator.api.ModuleStatus;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.render.ConfigRenderer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Objects;

/**
 * One module kind's status: Accepted (the object is valid g3proxy config on its own) and ResolvedRefs (what it
 * references exists and is accepted). Computed by rendering the module's group, so the verdict is exactly what
 * the group reconciler acts on.
 */
public abstract class ModuleReconciler<T extends CustomResource<? extends ModuleSpec, ModuleStatus>>
        implements Reconciler<T> {
    private final KubernetesClient client;

    protected ModuleReconciler(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public UpdateControl<T> reconcile(T object, Context<T> context) {
        ModuleStatus status = object.getStatus() == null ? new ModuleStatus() : object.getStatus();
        Long generation = object.getMetadata().getGeneration();
        var before = new java.util.ArrayList<>(status.conditions);
        String groupName = object.getMetadata().getLabels() == null ? null
                : object.getMetadata().getLabels().get(G3k.GROUP_LABEL);
        ProxyGroup group = groupName == null ? null : client.resources(ProxyGroup.class)
                .inNamespace(object.getMetadata().getNamespace()).withName(groupName).get();
        if (group == null) {
            status.conditions = Conditions.set(status.conditions, "Accepted", false, "NoGroup",
                    "label " + G3k.GROUP_LABEL + " must name a ProxyGroup of this namespace", generation);
        } else {
            ConfigRenderer.ObjectResult result = GroupModules.render(client, group).results()
                    .get(object.getKind() + "/" + object.getMetadata().getName());
            if (result == null) {
                return UpdateControl.<T>noUpdate().rescheduleAfter(Duration.ofSeconds(5));
            }
            status.conditions = Conditions.set(status.conditions, "Accepted", result.accepted(), result.reason(),
                    result.message(), generation);
            status.conditions = Conditions.set(status.conditions, "ResolvedRefs", result.refsResolved(),
                    result.refsResolved() ? "Resolved" : "RefNotFound",
                    result.refsResolved() ? "all references resolved" : result.refsMessage(), generation);
        }
        boolean changed = !sameConditions(before, status.conditions)
                || !Objects.equals(status.observedGeneration, generation);
        if (changed) {
            for (String type : java.util.List.of("Accepted", "ResolvedRefs")) {
                status.conditions.stream().filter(c -> c.getType().equals(type) && c.getStatus().equals("False"))
                        .findFirst().ifPresent(c -> Events.warn(client, object, c.getReason(), c.getMessage()));
            }
        }
        status.observedGeneration = generation;
        object.setStatus(status);
        // references can come and go without this object changing: look again now and then
        return (changed ? UpdateControl.patchStatus(object) : UpdateControl.<T>noUpdate())
                .rescheduleAfter(Duration.ofSeconds(30));
    }

    private static boolean sameConditions(java.util.List<io.fabric8.kubernetes.api.model.Condition> a,
                                          java.util.List<io.fabric8.kubernetes.api.model.Condition> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            var x = a.get(i);
            var y = b.get(i);
            if (!x.getType().equals(y.getType()) || !x.getStatus().equals(y.getStatus())
                    || !Objects.equals(x.getReason(), y.getReason()) || !Objects.equals(x.getMessage(), y.getMessage())
                    || !Objects.equals(x.getObservedGeneration(), y.getObservedGeneration())) {
                return false;
            }
        }
        return true;
    }
}
