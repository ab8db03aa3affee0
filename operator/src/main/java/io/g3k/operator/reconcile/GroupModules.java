package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.Auditor;
import io.g3k.operator.api.Escaper;
import io.g3k.operator.api.G3k;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.Resolver;
import io.g3k.operator.api.Server;
import io.g3k.operator.api.UserGroup;
import io.g3k.operator.render.ConfigRenderer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Optional;

/** Kubernetes I/O for rendering: the modules labelled into a group, and Secrets by name. */
final class GroupModules {
    private GroupModules() {}

    /** With the modules listed from the API (a module's reconciler, which has no informers for the other kinds). */
    static ConfigRenderer.Rendered render(KubernetesClient client, ProxyGroup group) {
        String ns = group.getMetadata().getNamespace();
        String name = group.getMetadata().getName();
        var modules = new ConfigRenderer.Modules(
                client.resources(Server.class).inNamespace(ns).withLabel(G3k.GROUP_LABEL, name).list().getItems(),
                client.resources(Escaper.class).inNamespace(ns).withLabel(G3k.GROUP_LABEL, name).list().getItems(),
                client.resources(Resolver.class).inNamespace(ns).withLabel(G3k.GROUP_LABEL, name).list().getItems(),
                client.resources(UserGroup.class).inNamespace(ns).withLabel(G3k.GROUP_LABEL, name).list().getItems(),
                client.resources(Auditor.class).inNamespace(ns).withLabel(G3k.GROUP_LABEL, name).list().getItems());
        return render(client, group, modules);
    }

    /** With the modules from the group reconciler's informers (the renderer orders them by name). */
    static ConfigRenderer.Rendered render(KubernetesClient client, ProxyGroup group, Context<ProxyGroup> context) {
        var modules = new ConfigRenderer.Modules(List.copyOf(context.getSecondaryResources(Server.class)),
                List.copyOf(context.getSecondaryResources(Escaper.class)),
                List.copyOf(context.getSecondaryResources(Resolver.class)),
                List.copyOf(context.getSecondaryResources(UserGroup.class)),
                List.copyOf(context.getSecondaryResources(Auditor.class)));
        return render(client, group, modules);
    }

    private static ConfigRenderer.Rendered render(KubernetesClient client, ProxyGroup group,
                                                  ConfigRenderer.Modules modules) {
        String ns = group.getMetadata().getNamespace();
        return ConfigRenderer.render(group, modules, secret -> secret(client, ns, secret));
    }

    static Optional<Secret> secret(KubernetesClient client, String ns, String name) {
        return Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get());
    }
}
