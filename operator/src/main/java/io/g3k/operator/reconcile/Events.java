package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on the objects the operator judges (rejected CRs, failed pushes). Best effort. */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private Events() {}

    static void warn(KubernetesClient client, HasMetadata object, String reason, String message) {
        try {
            String now = Instant.now().toString();
            client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(object.getMetadata().getName() + ".").endMetadata()
                    .withType("Warning").withReason(reason).withMessage(message)
                    .withNewInvolvedObject().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                    .withName(object.getMetadata().getName()).withNamespace(object.getMetadata().getNamespace())
                    .withUid(object.getMetadata().getUid()).endInvolvedObject()
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("g3k-operator").endSource().build()).create();
        } catch (RuntimeException e) {
            LOG.debug("cannot record event {} on {}: {}", reason, object.getMetadata().getName(), e.getMessage());
        }
    }
}
