package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.api.UserGroup;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Status of UserGroup objects. */
@ControllerConfiguration(name = "usergroup")
public class UserGroupReconciler extends ModuleReconciler<UserGroup> {
    public UserGroupReconciler(KubernetesClient client) {
        super(client);
    }
}
