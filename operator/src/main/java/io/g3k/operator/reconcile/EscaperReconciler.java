package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.Escaper;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Status of Escaper objects. */
@ControllerConfiguration(name = "escaper")
public class EscaperReconciler extends ModuleReconciler<Escaper> {
    public EscaperReconciler(KubernetesClient client) {
        super(client);
    }
}
