package io.g3k.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.g3k.operator.api.Escaper;
import io.g3k.operator.api.EscaperSpec;
import io.g3k.operator.api.G3k;
import io.g3k.operator.api.ObjectRef;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.ProxyGroupSpec;
import io.g3k.operator.api.Resolver;
import io.g3k.operator.api.ResolverSpec;
import io.g3k.operator.api.Server;
import io.g3k.operator.api.ServerSpec;
import io.g3k.operator.api.UserGroup;
import io.g3k.operator.api.UserGroupSpec;
import io.g3k.operator.workload.Workloads;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator against fabric8's CRUD mock API server, with a real data-plane process on loopback standing in for
 * a pod: it boots from the Secret the operator wrote, the operator pushes to it, and curl through it behaves as
 * the custom resources say, changes included, without a restart.
 */
class OperatorEndToEndTest {
    static final String NS = "test";

    @TempDir
    Path dir;
    KubernetesMockServer server;
    KubernetesClient client;
    Operator operator;
    HttpServer origin;
    Process dataplane;
    int proxyPort;
    int adminPort;

    @BeforeEach
    void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient(new JdkHttpClientFactory());
        try (var crds = Files.list(Path.of("target/classes/META-INF/fabric8"))) {
            for (Path crd : crds.toList()) {
                client.apiextensions().v1().customResourceDefinitions().load(crd.toFile()).create();
            }
        }
        operator = OperatorFactory.create(client, Set.of(NS));
        operator.start();
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        origin.createContext("/", ex -> {
            byte[] body = ("hello " + ex.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        origin.start();
        proxyPort = freePort();
        adminPort = freePort();
    }

    @AfterEach
    void stop() throws Exception {
        if (dataplane != null) {
            dataplane.destroy();
            dataplane.waitFor(10, TimeUnit.SECONDS);
        }
        operator.stop();
        client.close();
        server.destroy();
        origin.stop(0);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> T named(T object, String name) {
        object.getMetadata().setName(name);
        object.getMetadata().setNamespace(NS);
        object.getMetadata().setLabels(Map.of(G3k.GROUP_LABEL, "edge"));
        return object;
    }

    String curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--noproxy", "",
                "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://127.0.0.1:" + proxyPort));
        cmd.addAll(List.of(args));
        cmd.add("http://127.0.0.1:" + origin.getAddress().getPort() + "/k8s");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void crsBecomeAWorkingProxyAndChangesApplyWithoutRestart() throws Exception {
        ProxyGroup group = new ProxyGroup();
        group.getMetadata().setName("edge");
        group.getMetadata().setNamespace(NS);
        group.setSpec(new ProxyGroupSpec());
        group.getSpec().image = "g3k/dataplane:test";
        group.getSpec().adminPort = adminPort;
        group.getSpec().drainTimeout = "30s";
        client.resource(group).create();

        Resolver resolver = named(new Resolver(), "dns");
        resolver.setSpec(new ResolverSpec());
        resolver.getSpec().type = "c-ares";
        resolver.getSpec().servers = List.of("127.0.0.1:9");
        client.resource(resolver).create();
        Escaper escaper = named(new Escaper(), "direct");
        escaper.setSpec(new EscaperSpec());
        escaper.getSpec().type = "direct_fixed";
        escaper.getSpec().resolverRef = new ObjectRef("dns");
        escaper.getSpec().options = Map.of("egressNetworkFilter", Map.of("default", "allow", "allow", "127.0.0.1"));
        client.resource(escaper).create();
        Server http = named(new Server(), "http");
        http.setSpec(new ServerSpec());
        http.getSpec().type = "http_proxy";
        http.getSpec().listen = "127.0.0.1:" + proxyPort;
        http.getSpec().escaperRef = new ObjectRef("direct");
        client.resource(http).create();

        // the operator writes what a pod boots from, and the workload around it
        await().atMost(Duration.ofSeconds(30)).until(() -> configHash() != null
                && client.secrets().inNamespace(NS).withName("edge-admin").get() != null
                && client.services().inNamespace(NS).withName("edge").get() != null
                && client.services().inNamespace(NS).withName("edge").get().getSpec().getPorts().stream()
                .anyMatch(p -> p.getPort() == proxyPort));
        Deployment deployment = client.apps().deployments().inNamespace(NS).withName("edge").get();
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(40L);
        String restartHash = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(G3k.RESTART_HASH);
        var budget = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("edge").get();
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        // a "pod": the real data plane booting from the Secret, then reported Ready in the API
        String mainYml = decode(client.secrets().inNamespace(NS).withName("edge-config").get().getData().get("main.yml"));
        Path config = Files.writeString(dir.resolve("main.yml"), mainYml);
        Path token = Files.writeString(dir.resolve("token"),
                decode(client.secrets().inNamespace(NS).withName("edge-admin").get().getData().get("token")));
        String java = ProcessHandle.current().info().command().orElse("java");
        dataplane = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar",
                Path.of("../dataplane/target/g3k-dataplane.jar").toAbsolutePath().toString(), "run", "-c",
                config.toString(), "-G", "e2e", "-C", dir.resolve("ctl").toString(), "--state-dir",
                dir.resolve("state").toString(), "--control-listen", "127.0.0.1:" + adminPort,
                "--admin-token-file", token.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dataplane.log").toFile()).start();
        long pid = dataplane.pid();
        await().atMost(Duration.ofSeconds(30)).until(() -> curl().equals("200"));
        client.resource(new PodBuilder().withNewMetadata().withName("edge-0").withNamespace(NS)
                .withLabels(Workloads.podLabels(group)).endMetadata()
                .withNewStatus().withPodIP("127.0.0.1").addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var status = client.resources(ProxyGroup.class).inNamespace(NS).withName("edge").get().getStatus();
            return status != null && Integer.valueOf(1).equals(status.appliedPods) && status.conditions.stream()
                    .anyMatch(c -> c.getType().equals("Programmed") && c.getStatus().equals("True"));
        });

        // change the CRs: authentication from a user group whose users live in a Secret
        client.resource(new SecretBuilder().withNewMetadata().withName("staff-users").withNamespace(NS).endMetadata()
                .addToData("users.yaml", Base64.getEncoder().encodeToString("""
                        - name: root
                          token:
                            salt: 4e8f8a4e37f0fa1b
                            md5: d9d963915b9815d4cc39c196c2868900
                            sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4
                        """.getBytes(StandardCharsets.UTF_8))).build()).create();
        UserGroup staff = named(new UserGroup(), "staff");
        staff.setSpec(new UserGroupSpec());
        staff.getSpec().staticUsersSecretRef = new ObjectRef("staff-users");
        client.resource(staff).create();
        client.resources(Server.class).inNamespace(NS).withName("http")
                .edit(s -> {
                    s.getSpec().userGroupRef = new ObjectRef("staff");
                    return s;
                });
        await().atMost(Duration.ofSeconds(30)).until(() -> curl().equals("407"));
        assertThat(curl("-U", "root:toor")).isEqualTo("200");
        assertThat(dataplane.pid()).isEqualTo(pid);
        assertThat(dataplane.isAlive()).isTrue();
        // a module change is pushed, not rolled: the pod template is untouched
        assertThat(client.apps().deployments().inNamespace(NS).withName("edge").get().getSpec().getTemplate()
                .getMetadata().getAnnotations().get(G3k.RESTART_HASH)).isEqualTo(restartHash);

        // a bad CR is reported on itself and breaks nothing
        Server bad = named(new Server(), "bad");
        bad.setSpec(new ServerSpec());
        bad.getSpec().type = "http_proxy";
        bad.getSpec().escaperRef = new ObjectRef("direct");
        bad.getSpec().options = Map.of("lisen", 1);
        client.resource(bad).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var status = client.resources(Server.class).inNamespace(NS).withName("bad").get().getStatus();
            return status != null && status.conditions.stream().anyMatch(c -> c.getType().equals("Accepted")
                    && c.getStatus().equals("False") && c.getMessage().contains("'lisen'"));
        });
        var goodStatus = client.resources(Server.class).inNamespace(NS).withName("http").get().getStatus();
        assertThat(goodStatus.conditions).anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
        assertThat(client.v1().events().inNamespace(NS).list().getItems())
                .anyMatch(e -> e.getInvolvedObject().getName().equals("bad") && e.getReason().equals("InvalidConfig"));
        assertThat(curl("-U", "root:toor")).isEqualTo("200");

        // a new image rolls the pods (restart hash changes); the rolling update never drops below capacity
        client.resources(ProxyGroup.class).inNamespace(NS).withName("edge").edit(g -> {
            g.getSpec().image = "g3k/dataplane:next";
            return g;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var template = client.apps().deployments().inNamespace(NS).withName("edge").get().getSpec().getTemplate();
            return template.getSpec().getContainers().getFirst().getImage().equals("g3k/dataplane:next")
                    && !template.getMetadata().getAnnotations().get(G3k.RESTART_HASH).equals(restartHash);
        });

        // the rollout as the Deployment's controller reports it: given up on (the new image does not start), then done
        // (re-reported while not yet seen: on the mock API server an update racing the report can undo it)
        await().atMost(Duration.ofSeconds(30)).until(() -> rolledOut("False", "ProgressDeadlineExceeded")
                || deploymentStatus(0, 1, "False", "ProgressDeadlineExceeded",
                "ReplicaSet \"edge-7f\" has timed out progressing."));
        assertThat(rolledOutCondition().getMessage()).contains("timed out progressing");
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).anyMatch(e ->
                e.getInvolvedObject().getName().equals("edge") && e.getReason().equals("ProgressDeadlineExceeded"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rolledOut("True", "RolledOut")
                || deploymentStatus(1, 1, "True", "NewReplicaSetAvailable",
                "ReplicaSet \"edge-7f\" has successfully progressed."));
        assertThat(rolledOutCondition().getMessage()).isEqualTo("1/1 pods updated, 1 available");
    }

    /** Reports the Deployment's status as its controller would; false, so that an await goes on to check it. */
    boolean deploymentStatus(int updated, int available, String progressing, String reason, String message) {
        client.apps().deployments().inNamespace(NS).withName("edge").editStatus(d -> {
            // the mock API server bumps the generation on every update, even one that changes nothing, as the
            // reconciler's are (a real one only on spec changes): so "seen" is any generation from here on
            d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(Long.MAX_VALUE)
                    .withReplicas(1).withUpdatedReplicas(updated).withAvailableReplicas(available)
                    .addNewCondition().withType("Progressing").withStatus(progressing).withReason(reason)
                    .withMessage(message).endCondition().build());
            return d;
        });
        return false;
    }

    Condition rolledOutCondition() {
        var status = client.resources(ProxyGroup.class).inNamespace(NS).withName("edge").get().getStatus();
        return status == null ? null : status.conditions.stream().filter(c -> c.getType().equals("RolledOut"))
                .findFirst().orElse(null);
    }

    boolean rolledOut(String value, String reason) {
        var c = rolledOutCondition();
        return c != null && c.getStatus().equals(value) && c.getReason().equals(reason);
    }

    String configHash() {
        var g = client.resources(ProxyGroup.class).inNamespace(NS).withName("edge").get();
        return g == null || g.getStatus() == null ? null : g.getStatus().configHash;
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
