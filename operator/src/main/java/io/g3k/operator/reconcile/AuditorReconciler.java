package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.Auditor;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Status of Auditor objects. */
@ControllerConfiguration(name = "auditor")
public class AuditorReconciler extends ModuleReconciler<Auditor> {
    public AuditorReconciler(KubernetesClient client) {
        super(client);
    }
}
