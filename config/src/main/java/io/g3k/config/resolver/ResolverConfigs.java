package io.g3k.config.resolver;

import io.g3k.config.ConfigException;
import io.g3k.config.Keys;
import io.g3k.config.YamlMap;
import java.util.Set;

/** Dispatches a {@code resolver:} entry on its {@code type}, with g3proxy's aliases. */
public final class ResolverConfigs {
    private static final Set<String> NOT_YET = Set.of();

    private ResolverConfigs() {}

    public static ResolverConfig parse(YamlMap map, java.nio.file.Path baseDir) {
        String name = map.requireString("name");
        String type = Keys.normalize(map.requireString("type"));
        return switch (type) {
            case "c_ares", "cares" -> CAresResolverConfig.parse(name, map);
            case "fail_over", "failover" -> FailOverResolverConfig.parse(name, map);
            case "hickory", "hickory_dns", "trust_dns" -> HickoryResolverConfig.parse(name, map, baseDir);
            case "deny_all", "denyall" -> {
                map.finish();
                yield new DenyAllResolverConfig(name);
            }
            default -> throw new ConfigException(map.location() + " key 'type': "
                    + (NOT_YET.contains(type) ? "resolver type '" + type + "' is not implemented in this version of g3k"
                    : "unknown resolver type '" + type + "'"));
        };
    }
}
