package io.g3k.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import org.junit.jupiter.api.Test;

/** The RolledOut condition as a pure function of the Deployment's status. */
class RolloutTest {
    static Deployment deployment(long generation, Long observed, int replicas, int updated, int available, int total,
                                 String progressing, String reason) {
        var status = observed == null ? null : new DeploymentStatusBuilder().withObservedGeneration(observed)
                .withReplicas(total).withUpdatedReplicas(updated).withAvailableReplicas(available)
                .addNewCondition().withType("Progressing").withStatus(progressing).withReason(reason)
                .withMessage("from the controller: " + reason).endCondition().build();
        return new DeploymentBuilder().withNewMetadata().withName("edge").withGeneration(generation).endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec().withStatus(status).build();
    }

    @Test
    void doneWhenEveryReplicaRunsTheCurrentTemplateAndIsAvailable() {
        var r = Rollout.of(deployment(4, 4L, 3, 3, 3, 3, "True", "NewReplicaSetAvailable"));
        assertThat(r).isEqualTo(new Rollout(true, "RolledOut", "3/3 pods updated, 3 available"));
    }

    @Test
    void underWayWhileOldPodsRemainOrNewOnesAreNotAvailable() {
        assertThat(Rollout.of(deployment(4, 4L, 3, 2, 3, 4, "True", "ReplicaSetUpdated")))
                .isEqualTo(new Rollout(false, "RollingOut", "2/3 pods updated, 3 available, 2 old"));
        assertThat(Rollout.of(deployment(4, 4L, 3, 3, 2, 3, "True", "ReplicaSetUpdated")).done()).isFalse();
    }

    @Test
    void aSpecTheControllerHasNotSeenIsNotRolledOutYet() {
        assertThat(Rollout.of(deployment(5, 4L, 3, 3, 3, 3, "True", "NewReplicaSetAvailable")).reason())
                .isEqualTo("RollingOut");
        assertThat(Rollout.of(deployment(5, null, 3, 0, 0, 0, null, null)).done()).isFalse();
        assertThat(Rollout.of(null).reason()).isEqualTo("NoDeployment");
    }

    @Test
    void aRolloutKubernetesGaveUpOnSaysSoWithItsMessage() {
        var r = Rollout.of(deployment(4, 4L, 3, 1, 3, 4, "False", "ProgressDeadlineExceeded"));
        assertThat(r).isEqualTo(new Rollout(false, Rollout.STUCK, "from the controller: ProgressDeadlineExceeded"));
    }
}
