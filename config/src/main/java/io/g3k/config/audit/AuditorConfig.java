package io.g3k.config.audit;

import io.g3k.config.YamlMap;

/** An {@code auditor:} entry. Loaded and named so that references resolve; auditing itself is not implemented yet. */
public record AuditorConfig(String name) {
    public static AuditorConfig parse(YamlMap map) {
        String name = map.requireString("name");
        map.warnings().add(map.location() + ": auditors are loaded but have no effect in this version of g3k");
        return new AuditorConfig(name);
    }
}
