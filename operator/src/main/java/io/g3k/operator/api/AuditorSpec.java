package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A g3proxy auditor (options only; auditors have no type). */
public class AuditorSpec extends ModuleSpec {
    public AuditorSpec() {
        type = "auditor";
    }

    @Override
    public Map<String, Object> typedKeys() {
        return new LinkedHashMap<>();
    }
}
