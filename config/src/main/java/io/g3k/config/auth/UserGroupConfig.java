package io.g3k.config.auth;

import io.g3k.config.ConfigException;
import io.g3k.config.Keys;
import io.g3k.config.YamlMap;
import io.g3k.config.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@code user_group:} entry of type {@code basic}: users who authenticate with a name and password, static ones
 * first, then dynamic ones from a {@code source} file that is re-read every {@code refresh_interval}.
 */
public record UserGroupConfig(String name, List<UserConfig> staticUsers, Optional<Path> sourceFile,
                              Duration refreshInterval) {
    public static UserGroupConfig parse(YamlMap map, Path baseDir) {
        String name = map.requireString("name");
        String type = Keys.normalize(map.string("type").orElse("basic"));
        if (!type.equals("basic")) {
            throw map.error("type", "user group type '" + type + "' is not implemented in this version of g3k");
        }
        List<UserConfig> users = new ArrayList<>();
        map.take("static_users").ifPresent(node -> {
            if (!node.isArray()) {
                throw map.error("static_users", "expected a list of users");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                UserConfig user = UserConfig.parse(
                        new YamlMap(node.get(i), map.location() + " static_users[" + i + "]", map.warnings()));
                if (!seen.add(user.name())) {
                    throw new ConfigException(map.location() + " static_users[" + i + "]: user '" + user.name()
                            + "' is defined twice");
                }
                users.add(user);
            }
        });
        Optional<Path> source = map.map("source").map(src -> {
            String sourceType = Keys.normalize(src.string("type").orElse("file"));
            if (!sourceType.equals("file")) {
                throw src.error("type", "user source type '" + sourceType + "' is not supported (file only)");
            }
            Path path = baseDir.resolve(src.requireString("path"));
            src.ignoreWithWarning("format");
            src.finish();
            return path;
        });
        Duration refresh = map.take("refresh_interval", Values::duration).orElse(Duration.ofSeconds(60));
        map.finish();
        return new UserGroupConfig(name, List.copyOf(users), source, refresh);
    }
}
