package io.g3k.operator.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.g3k.config.Values;
import io.g3k.operator.api.G3k;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.ProxyGroupSpec;
import io.g3k.operator.render.ConfigRenderer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of a ProxyGroup, as pure functions of its spec and rendered config: the config Secret the
 * pods boot from, the Deployment (surge-first rolling update, drain-aware grace period, restart hash over the
 * inputs that cannot be hot-applied only), its PodDisruptionBudget and the Service.
 */
public final class Workloads {
    public static final String CONFIG_MOUNT = "/etc/g3k/config";
    public static final String ADMIN_MOUNT = "/etc/g3k/admin";
    public static final String STATE_DIR = "/var/lib/g3k";

    private Workloads() {}

    public static String configSecret(ProxyGroup pg) {
        return pg.getMetadata().getName() + "-config";
    }

    public static String adminSecret(ProxyGroup pg) {
        return pg.getMetadata().getName() + "-admin";
    }

    public static Map<String, String> podLabels(ProxyGroup pg) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "g3k-dataplane");
        labels.put(G3k.INSTANCE_LABEL, pg.getMetadata().getName());
        return labels;
    }

    public static Secret configSecret(ProxyGroup pg, ConfigRenderer.Rendered rendered) {
        return new SecretBuilder().withNewMetadata().withName(configSecret(pg))
                .withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .addToAnnotations("g3k.io/config-hash", rendered.hash())
                .withOwnerReferences(owner(pg)).endMetadata()
                .addToData("main.yml", base64(rendered.yaml())).build();
    }

    public static Secret adminSecret(ProxyGroup pg, String token) {
        return new SecretBuilder().withNewMetadata().withName(adminSecret(pg))
                .withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .withOwnerReferences(owner(pg)).endMetadata()
                .addToData("token", base64(token)).build();
    }

    /** Hash of what a push cannot change: a different value rolls the pods, anything else is pushed. */
    public static String restartHash(ProxyGroup pg, List<String> tlsSecrets) {
        var spec = pg.getSpec();
        String inputs = String.join("\n", "v1", spec.image, String.valueOf(spec.workers), String.valueOf(spec.stat),
                String.valueOf(spec.log), String.valueOf(spec.drainTimeout), String.valueOf(spec.adminPort), transport(spec),
                String.valueOf(spec.resources), String.join(",", tlsSecrets), overrides(spec.pod));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(inputs.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String overrides(ProxyGroupSpec.PodOverrides pod) {
        if (pod == null) {
            return "";
        }
        return String.join("|", new java.util.TreeMap<>(pod.annotations).toString(),
                new java.util.TreeMap<>(pod.labels).toString(), new java.util.TreeMap<>(pod.nodeSelector).toString(),
                String.valueOf(pod.tolerations), String.valueOf(pod.priorityClassName), String.valueOf(pod.affinity));
    }

    public static Deployment deployment(ProxyGroup pg, ConfigRenderer.Rendered rendered) {
        var spec = pg.getSpec();
        long drainSeconds = Values.duration(com.fasterxml.jackson.databind.node.TextNode.valueOf(spec.drainTimeout)).toSeconds();
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMountBuilder().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).build(),
                new VolumeMountBuilder().withName("admin").withMountPath(ADMIN_MOUNT).withReadOnly(true).build(),
                new VolumeMountBuilder().withName("state").withMountPath(STATE_DIR).build()));
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName("config").withNewSecret().withSecretName(configSecret(pg)).endSecret().build(),
                new VolumeBuilder().withName("admin").withNewSecret().withSecretName(adminSecret(pg)).endSecret().build(),
                new VolumeBuilder().withName("state").withNewEmptyDir().endEmptyDir().build()));
        for (String secret : rendered.tlsSecrets()) {
            mounts.add(new VolumeMountBuilder().withName("tls-" + secret)
                    .withMountPath(ConfigRenderer.SECRETS_DIR + "/" + secret).withReadOnly(true).build());
            volumes.add(new VolumeBuilder().withName("tls-" + secret).withNewSecret().withSecretName(secret)
                    .endSecret().build());
        }
        List<ContainerPort> ports = new ArrayList<>();
        rendered.ports().forEach((server, port) -> ports.add(new ContainerPortBuilder()
                .withName(portName(server)).withContainerPort(port).build()));
        ports.add(new ContainerPortBuilder().withName("admin").withContainerPort(spec.adminPort).build());
        var container = new ContainerBuilder().withName("g3k").withImage(spec.image)
                .withArgs("run", "-c", CONFIG_MOUNT + "/main.yml", "-G", "g3k", "--state-dir", STATE_DIR,
                        "--control-listen", "0.0.0.0:" + spec.adminPort, "--admin-token-file", ADMIN_MOUNT + "/token")
                .withPorts(ports).withVolumeMounts(mounts).withResources(spec.resources)
                .withEnv(transport(spec).equals("auto") ? List.of()
                        : List.of(new EnvVarBuilder().withName("G3K_TRANSPORT").withValue(transport(spec)).build()))
                .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(spec.adminPort))
                .endHttpGet().withPeriodSeconds(2).endReadinessProbe()
                .withNewLivenessProbe().withNewTcpSocket().withPort(new IntOrString(spec.adminPort)).endTcpSocket()
                .withPeriodSeconds(10).endLivenessProbe()
                .build();
        return new DeploymentBuilder().withNewMetadata().withName(pg.getMetadata().getName())
                .withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .withOwnerReferences(owner(pg)).endMetadata()
                .withNewSpec().withReplicas(spec.replicas).withNewSelector().withMatchLabels(podLabels(pg)).endSelector()
                .withMinReadySeconds(5).withProgressDeadlineSeconds(600)
                // surge first: a new pod is ready before an old one starts draining; never below capacity
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().withLabels(templateLabels(pg)).withAnnotations(pod(pg).annotations)
                .addToAnnotations(G3k.RESTART_HASH, restartHash(pg, rendered.tlsSecrets()))
                .addToAnnotations("prometheus.io/scrape", "true")
                .addToAnnotations("prometheus.io/port", String.valueOf(spec.adminPort)).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(drainSeconds + 10).withContainers(container)
                .withServiceAccountName(serviceAccount(pg)).withAutomountServiceAccountToken(false)
                .withNodeSelector(pod(pg).nodeSelector).withTolerations(pod(pg).tolerations)
                .withPriorityClassName(pod(pg).priorityClassName).withAffinity(pod(pg).affinity)
                .withVolumes(volumes).endSpec().endTemplate().endSpec().build();
    }

    private static String transport(ProxyGroupSpec spec) {
        return spec.transport == null ? "auto" : spec.transport;
    }

    private static ProxyGroupSpec.PodOverrides pod(ProxyGroup pg) {
        return pg.getSpec().pod == null ? new ProxyGroupSpec.PodOverrides() : pg.getSpec().pod;
    }

    private static Map<String, String> templateLabels(ProxyGroup pg) {
        Map<String, String> labels = new LinkedHashMap<>(pod(pg).labels);
        labels.putAll(podLabels(pg));
        return labels;
    }

    public static String serviceAccount(ProxyGroup pg) {
        return pg.getMetadata().getName() + "-dataplane";
    }

    /** The pods' own identity: it may do nothing in the API (the data plane never talks to it). */
    public static io.fabric8.kubernetes.api.model.ServiceAccount dataplaneServiceAccount(ProxyGroup pg) {
        return new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata()
                .withName(serviceAccount(pg)).withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .withOwnerReferences(owner(pg)).endMetadata().withAutomountServiceAccountToken(false).build();
    }

    public static Service service(ProxyGroup pg, ConfigRenderer.Rendered rendered) {
        List<ServicePort> ports = new ArrayList<>();
        rendered.ports().forEach((server, port) -> ports.add(new ServicePortBuilder().withName(portName(server))
                .withPort(port).withTargetPort(new IntOrString(port)).build()));
        ports.add(new ServicePortBuilder().withName("admin").withPort(pg.getSpec().adminPort)
                .withTargetPort(new IntOrString(pg.getSpec().adminPort)).build());
        return new ServiceBuilder().withNewMetadata().withName(pg.getMetadata().getName())
                .withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .withOwnerReferences(owner(pg)).endMetadata()
                .withNewSpec().withSelector(podLabels(pg)).withPorts(ports).endSpec().build();
    }

    /**
     * At most one data-plane pod down at a time for a voluntary disruption (a node drained, the cluster upgraded), as
     * the rolling update already keeps it: the others keep serving while the evicted one drains. {@code maxUnavailable}
     * rather than {@code minAvailable}, so that a single replica can still be evicted and a drain never waits on it.
     */
    public static PodDisruptionBudget podDisruptionBudget(ProxyGroup pg) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(pg.getMetadata().getName())
                .withNamespace(pg.getMetadata().getNamespace()).withLabels(podLabels(pg))
                .withOwnerReferences(owner(pg)).endMetadata()
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(podLabels(pg)).endSelector().endSpec().build();
    }

    /** Port names must be DNS labels of at most 15 characters. */
    static String portName(String server) {
        String name = server.toLowerCase().replaceAll("[^a-z0-9-]", "-");
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    static OwnerReference owner(ProxyGroup pg) {
        return new OwnerReferenceBuilder().withApiVersion(pg.getApiVersion()).withKind(pg.getKind())
                .withName(pg.getMetadata().getName()).withUid(pg.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
