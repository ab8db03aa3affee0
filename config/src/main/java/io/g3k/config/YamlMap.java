package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * One YAML mapping being read into a typed config. Keys are normalised; every read consumes its key, and
 * {@link #finish()} rejects the keys nobody read, so a typo never passes silently. Errors carry the location.
 */
public final class YamlMap {
    private final Map<String, JsonNode> entries = new LinkedHashMap<>();
    private final Set<String> consumed = new LinkedHashSet<>();
    private final String location;
    private final List<String> warnings;

    public YamlMap(JsonNode node, String location, List<String> warnings) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(location + ": expected a map, got " + describe(node));
        }
        this.location = location;
        this.warnings = warnings;
        node.properties().forEach(e -> {
            String key = Keys.normalize(e.getKey());
            if (entries.put(key, e.getValue()) != null) {
                throw new ConfigException(location + ": key '" + e.getKey() + "' is given twice");
            }
        });
    }

    public String location() {
        return location;
    }

    public List<String> warnings() {
        return warnings;
    }

    public boolean has(String key, String... aliases) {
        return find(key, aliases).isPresent();
    }

    /** The raw value of a key (or of one of its aliases), marking it as read. */
    public Optional<JsonNode> take(String key, String... aliases) {
        Optional<Map.Entry<String, JsonNode>> found = find(key, aliases);
        found.ifPresent(e -> consumed.add(e.getKey()));
        return found.map(Map.Entry::getValue);
    }

    public <T> Optional<T> take(String key, Function<JsonNode, T> parser, String... aliases) {
        Optional<Map.Entry<String, JsonNode>> found = find(key, aliases);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String actual = found.get().getKey();
        consumed.add(actual);
        JsonNode value = found.get().getValue();
        try {
            return Optional.ofNullable(parser.apply(value));
        } catch (ConfigException e) {
            // a value parsed as a map of its own (a port range, a rate limit) names only its own keys
            throw e.getMessage().startsWith(location) ? e : error(actual, e.getMessage());
        } catch (RuntimeException e) {
            throw error(actual, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** {@link #take(String, Function, String...)} for an int-valued key. */
    public OptionalInt takeInt(String key, Function<JsonNode, Integer> parser, String... aliases) {
        return take(key, parser, aliases).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    public <T> T require(String key, Function<JsonNode, T> parser, String... aliases) {
        return take(key, parser, aliases).orElseThrow(() -> error(key, "is required"));
    }

    public String requireString(String key, String... aliases) {
        return require(key, Values::string, aliases);
    }

    public Optional<String> string(String key, String... aliases) {
        return take(key, Values::string, aliases);
    }

    public boolean bool(String key, boolean fallback, String... aliases) {
        return take(key, Values::bool, aliases).orElse(fallback);
    }

    /** A nested map, read with the same rules and a location that points into it. */
    public Optional<YamlMap> map(String key, String... aliases) {
        return find(key, aliases).map(e -> {
            consumed.add(e.getKey());
            JsonNode value = e.getValue();
            // `tls_client:` with nothing after it means "defaults", as `{}` does
            JsonNode map = value == null || value.isNull() ? Values.JSON.createObjectNode() : value;
            return new YamlMap(map, location + " key '" + e.getKey() + "'", warnings);
        });
    }

    /** Keys g3proxy knows that g3k accepts but does not act on yet: read with a warning, not an error. */
    public void ignoreWithWarning(String... keys) {
        for (String key : keys) {
            if (entries.containsKey(key) && consumed.add(key)) {
                warnings.add(location + ": key '" + key + "' is accepted but has no effect in this version of g3k");
            }
        }
    }

    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (String key : entries.keySet()) {
            if (!consumed.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException(location + ": unknown or unsupported key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(k -> "'" + k + "'").toList()));
        }
    }

    public ConfigException error(String key, String message) {
        return new ConfigException(location + " key '" + key + "': " + message);
    }

    public ObjectNode raw() {
        ObjectNode node = Values.JSON.createObjectNode();
        entries.forEach(node::set);
        return node;
    }

    private Optional<Map.Entry<String, JsonNode>> find(String key, String... aliases) {
        if (entries.containsKey(key)) {
            return Optional.of(Map.entry(key, entries.get(key)));
        }
        for (String alias : aliases) {
            if (entries.containsKey(alias)) {
                return Optional.of(Map.entry(alias, entries.get(alias)));
            }
        }
        return Optional.empty();
    }

    static String describe(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().name().toLowerCase() + " " + node;
    }
}
