package io.g3k.operator.api;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A g3proxy daemon group: the data-plane Deployment and the process-wide settings (g3proxy's non-reloadable
 * sections). Modules join by the {@code g3k.io/group: <name>} label.
 */
public class ProxyGroupSpec {
    @Default("1")
    @Min(0)
    public Integer replicas = 1;

    @Required
    public String image;

    public ResourceRequirements resources;

    /** {@code worker.thread_number}; unset = one per CPU. */
    @Min(1)
    @Max(256)
    public Integer workers;

    /**
     * The data plane's event-loop transport: {@code auto} takes io_uring where the pod's seccomp profile allows it
     * (container runtimes' defaults often refuse it) and epoll otherwise; the others force one ({@code G3K_TRANSPORT}).
     */
    @Default("auto")
    @Pattern("^(auto|io_uring|epoll|nio)$")
    public String transport = "auto";

    /** How long an old pod drains established tunnels in a rolling upgrade. */
    @Default("10m")
    @Pattern("^[0-9]+(ms|s|m|h)$")
    public String drainTimeout = "10m";

    /** The data plane's control port (config push, /healthz, /metrics). */
    @Default("9901")
    public Integer adminPort = 9901;

    /** g3proxy's {@code stat:} section (camelCase keys). */
    @SchemaFrom(type = FreeForm.class)
    public Map<String, Object> stat = new LinkedHashMap<>();

    /** g3proxy's {@code log:} setting. */
    public String log;

    /** Overrides for the data-plane pods. */
    public PodOverrides pod = new PodOverrides();

    /** What a platform team usually needs to change on the pods, without a full pod template. */
    public static class PodOverrides {
        public Map<String, String> annotations = new LinkedHashMap<>();
        public Map<String, String> labels = new LinkedHashMap<>();
        public Map<String, String> nodeSelector = new LinkedHashMap<>();
        public java.util.List<io.fabric8.kubernetes.api.model.Toleration> tolerations = new java.util.ArrayList<>();
        public String priorityClassName;
        public io.fabric8.kubernetes.api.model.Affinity affinity;
    }
}
