package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.Resolver;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Status of Resolver objects. */
@ControllerConfiguration(name = "resolver")
public class ResolverReconciler extends ModuleReconciler<Resolver> {
    public ResolverReconciler(KubernetesClient client) {
        super(client);
    }
}
