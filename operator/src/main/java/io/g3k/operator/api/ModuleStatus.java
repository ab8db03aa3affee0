package io.g3k.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Status of a Server, Escaper, Resolver, UserGroup or Auditor: Accepted and ResolvedRefs conditions. */
public class ModuleStatus {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
}
