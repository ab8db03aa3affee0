package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.Server;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Status of Server objects. */
@ControllerConfiguration(name = "server")
public class ServerReconciler extends ModuleReconciler<Server> {
    public ServerReconciler(KubernetesClient client) {
        super(client);
    }
}
