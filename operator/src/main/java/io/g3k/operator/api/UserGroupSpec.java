package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A g3proxy user group. Users with their tokens live in a Secret (key {@code users.yaml}: a YAML list in the
 * static user schema), never in the custom resource.
 */
public class UserGroupSpec extends ModuleSpec {
    public ObjectRef staticUsersSecretRef;

    public UserGroupSpec() {
        type = "basic";
    }

    @Override
    public Map<String, Object> typedKeys() {
        return new LinkedHashMap<>();
    }
}
