package io.g3k.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Accepted (the modules render to a valid config), Programmed ("N/M pods applied"), RolledOut (every replica runs the
 * current pod template; false while a rollout goes on or after Kubernetes gave up on it), the config hash.
 */
public class ProxyGroupStatus {
    public Long observedGeneration;
    public String configHash;
    public String restartHash;
    public Integer readyPods;
    public Integer appliedPods;
    public List<Condition> conditions = new ArrayList<>();
}
