package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A g3proxy escaper: {@code type}, its resolver, and options. */
public class EscaperSpec extends ModuleSpec {
    public ObjectRef resolverRef;

    @Override
    public Map<String, Object> typedKeys() {
        Map<String, Object> out = new LinkedHashMap<>();
        ServerSpec.putRef(out, "resolver", resolverRef);
        return out;
    }
}
