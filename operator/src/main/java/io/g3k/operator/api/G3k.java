package io.g3k.operator.api;

/** The API group, version and the labels and annotations g3k objects share. */
public final class G3k {
    public static final String GROUP = "g3k.io";
    public static final String VERSION = "v1alpha1";
    /** On a module: the ProxyGroup it belongs to. */
    public static final String GROUP_LABEL = "g3k.io/group";
    /** On data-plane pods: the ProxyGroup that owns them. */
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    /** On the pod template: hash of the inputs that need a restart (image, workers, stat, drain). */
    public static final String RESTART_HASH = "g3k.io/restart-hash";

    private G3k() {}
}
