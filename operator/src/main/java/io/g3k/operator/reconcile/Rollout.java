package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Objects;

/**
 * The ProxyGroup's {@code RolledOut} condition, read from its Deployment's status: true once every replica runs the
 * current pod template and is available; false while a rollout is under way (how far it got), or when Kubernetes
 * gave up on it ({@code ProgressDeadlineExceeded}: a new image that does not start, say), with the Deployment's own
 * message. Config changes that the pods take without a restart do not roll them: this is about pod rollouts only.
 */
record Rollout(boolean done, String reason, String message) {
    static final String TYPE = "RolledOut";
    /** The reason Kubernetes gives for a rollout it gave up on. */
    static final String STUCK = "ProgressDeadlineExceeded";

    static Rollout of(Deployment deployment) {
        if (deployment == null) {
            return new Rollout(false, "NoDeployment", "the Deployment is not there yet");
        }
        DeploymentStatus status = deployment.getStatus();
        Long generation = deployment.getMetadata().getGeneration();
        if (status == null || status.getObservedGeneration() == null || generation != null
                && status.getObservedGeneration() < generation) {
            return new Rollout(false, "RollingOut", "the Deployment's controller has not seen its latest spec yet");
        }
        DeploymentCondition progressing = status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> c.getType().equals("Progressing")).findFirst().orElse(null);
        if (progressing != null && "False".equals(progressing.getStatus())) {
            return new Rollout(false, Objects.requireNonNullElse(progressing.getReason(), "NotProgressing"),
                    Objects.requireNonNullElse(progressing.getMessage(), "the rollout is not progressing"));
        }
        int wanted = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        int updated = count(status.getUpdatedReplicas());
        int available = count(status.getAvailableReplicas());
        int total = count(status.getReplicas());
        String counts = updated + "/" + wanted + " pods updated, " + available + " available";
        if (updated >= wanted && available >= wanted && total <= updated) {
            return new Rollout(true, "RolledOut", counts);
        }
        return new Rollout(false, "RollingOut", counts + (total > updated ? ", " + (total - updated) + " old" : ""));
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }
}
