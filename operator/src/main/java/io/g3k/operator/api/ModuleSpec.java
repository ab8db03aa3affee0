package io.g3k.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every module spec has: the g3proxy {@code type} and the long tail of g3proxy options in camelCase
 * ({@code egressNetworkFilter} for {@code egress_network_filter}), validated by the shared config model.
 */
public abstract class ModuleSpec {
    @Required
    public String type;

    @SchemaFrom(type = FreeForm.class)
    public Map<String, Object> options = new LinkedHashMap<>();

    /** The typed fields as g3proxy keys and values (references become names). */
    @JsonIgnore
    public abstract Map<String, Object> typedKeys();
}
