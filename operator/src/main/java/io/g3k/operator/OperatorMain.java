package io.g3k.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs the operator in a cluster; {@code WATCH_NAMESPACES} (comma-separated) limits it, unset = all. */
public final class OperatorMain {
    private OperatorMain() {}

    public static void main(String[] args) {
        String env = System.getenv().getOrDefault("WATCH_NAMESPACES", "");
        Set<String> namespaces = Arrays.stream(env.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        var operator = OperatorFactory.create(new KubernetesClientBuilder().build(), namespaces);
        Runtime.getRuntime().addShutdownHook(new Thread(operator::stop));
        operator.start();
    }
}
