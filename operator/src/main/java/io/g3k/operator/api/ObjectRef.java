package io.g3k.operator.api;

import io.fabric8.generator.annotation.Required;

/** A reference to another g3k object of the same namespace, by name (Gateway API's LocalObjectReference shape). */
public class ObjectRef {
    @Required
    public String name;

    public ObjectRef() {}

    public ObjectRef(String name) {
        this.name = name;
    }
}
