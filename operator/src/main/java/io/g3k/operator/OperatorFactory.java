package io.g3k.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.g3k.operator.push.ConfigPusher;
import io.g3k.operator.reconcile.AuditorReconciler;
import io.g3k.operator.reconcile.EscaperReconciler;
import io.g3k.operator.reconcile.ProxyGroupReconciler;
import io.g3k.operator.reconcile.ResolverReconciler;
import io.g3k.operator.reconcile.ServerReconciler;
import io.g3k.operator.reconcile.UserGroupReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.util.List;
import java.util.Set;

/**
 * The one place the operator is put together, for main and for tests alike: no server-side apply (JSON merge
 * patches work everywhere, the fabric8 mock included), a reconciler per kind, the watched namespaces.
 */
public final class OperatorFactory {
    private OperatorFactory() {}

    /** {@code namespaces} empty = all namespaces. */
    public static Operator create(KubernetesClient client, Set<String> namespaces) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false));
        List<Reconciler<?>> reconcilers = List.of(new ProxyGroupReconciler(client, new ConfigPusher()),
                new ServerReconciler(client), new EscaperReconciler(client), new ResolverReconciler(client),
                new UserGroupReconciler(client), new AuditorReconciler(client));
        for (Reconciler<?> reconciler : reconcilers) {
            register(operator, reconciler, namespaces);
        }
        return operator;
    }

    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void register(
            Operator operator, Reconciler<R> reconciler, Set<String> namespaces) {
        operator.register(reconciler, c -> {
            if (namespaces.isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(namespaces);
            }
        });
    }
}
