package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A g3proxy resolver: {@code type}, DNS servers, and options. */
public class ResolverSpec extends ModuleSpec {
    public List<String> servers;

    @Override
    public Map<String, Object> typedKeys() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (servers != null && !servers.isEmpty()) {
            out.put("server", servers);
        }
        return out;
    }
}
