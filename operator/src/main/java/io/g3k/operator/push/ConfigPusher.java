package io.g3k.operator.push;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a rendered config to data-plane pods through their authenticated control interface
 * ({@code PUT /config}); each pod validates before it swaps and keeps its last good config on error. A pod that
 * already has the hash is not pushed again.
 */
public final class ConfigPusher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigPusher.class);

    /** What happened on one push round. */
    public record Outcome(int applied, int ready, List<String> errors) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, String> appliedByPod = new ConcurrentHashMap<>();

    public Outcome push(List<Pod> readyPods, int port, String token, String yaml, String hash) {
        int applied = 0;
        List<String> errors = new java.util.ArrayList<>();
        for (Pod pod : readyPods) {
            String key = pod.getMetadata().getUid() + "/" + pod.getStatus().getPodIP();
            if (hash.equals(appliedByPod.get(key))) {
                applied++;
                continue;
            }
            String ip = pod.getStatus().getPodIP();
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port
                                + "/config")).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                        .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    appliedByPod.put(key, hash);
                    applied++;
                } else {
                    errors.add(pod.getMetadata().getName() + ": " + response.statusCode() + " "
                            + response.body().replaceAll("\\s+", " ").trim());
                }
            } catch (Exception e) {
                errors.add(pod.getMetadata().getName() + ": " + e);
            }
        }
        if (!errors.isEmpty()) {
            LOG.warn("config push: {}", errors);
        }
        return new Outcome(applied, readyPods.size(), errors);
    }

    /** Forget pods that are gone. */
    public void retain(java.util.Set<String> podUids) {
        appliedByPod.keySet().removeIf(k -> !podUids.contains(k.substring(0, k.indexOf('/'))));
    }
}
