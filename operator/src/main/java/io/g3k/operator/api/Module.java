package io.g3k.operator.api;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** A g3k module object (Server, Escaper, Resolver, UserGroup, Auditor). */
public interface Module<S extends ModuleSpec> extends HasMetadata {
    S getSpec();

    ModuleStatus getStatus();

    void setStatus(ModuleStatus status);
}
