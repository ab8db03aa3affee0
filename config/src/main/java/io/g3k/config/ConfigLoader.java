package io.g3k.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.g3k.config.audit.AuditorConfig;
import io.g3k.config.auth.UserGroupConfig;
import io.g3k.config.escaper.EscaperConfigs;
import io.g3k.config.resolver.ResolverConfigs;
import io.g3k.config.server.ServerConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Loads a g3proxy config: {@code main.yml} (several YAML documents are merged) and, for each module section, a
 * "hybrid map": a list whose items are inline maps or paths, or a single path; a path names a file (one object per
 * YAML document) or a directory (every file with the main file's extension, in name order).
 */
public final class ConfigLoader {
    /**
     * YAML as g3proxy reads it (YAML 1.2): only {@code true} and {@code false} are booleans, so {@code name: off} or
     * the country {@code no} stay words; keys that want a boolean still take yes/no/on/off ({@link Values#bool}).
     */
    public static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS).build());
    private static final List<String> MAIN_NAMES = List.of("main.yaml", "main.yml", "main.conf",
            "g3proxy.yaml", "g3proxy.yml", "g3proxy.conf");

    private final List<String> warnings = new ArrayList<>();
    private final Path mainFile;
    private final String extension;

    private ConfigLoader(Path mainFile) {
        this.mainFile = mainFile;
        String name = mainFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        this.extension = dot < 0 ? "" : name.substring(dot);
    }

    /** Loads and validates; throws {@link ConfigException} naming the file, entry and key of the first problem. */
    public static G3Config load(Path path) {
        Path main = resolveMain(path);
        G3Config config = new ConfigLoader(main).loadMain();
        ConfigValidator.validate(config);
        return config;
    }

    private static Path resolveMain(Path path) {
        if (Files.isDirectory(path)) {
            for (String name : MAIN_NAMES) {
                if (Files.isRegularFile(path.resolve(name))) {
                    return path.resolve(name);
                }
            }
            throw new ConfigException(path + ": no main.{yaml,yml,conf} or g3proxy.{yaml,yml,conf} in this directory");
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(path + ": config file not found");
        }
        return path;
    }

    private G3Config loadMain() {
        ObjectNode merged = YAML.createObjectNode();
        for (JsonNode doc : readDocuments(mainFile)) {
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            if (!doc.isObject()) {
                throw new ConfigException(mainFile + ": the main config must be a map");
            }
            doc.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
        }
        YamlMap top = new YamlMap(merged, mainFile.toString(), warnings);
        LoadContext ctx = new LoadContext(mainFile, warnings);
        RuntimeConfig runtime = RuntimeConfig.parse(top.map("runtime"), top.map("worker"));
        boolean taskLog = top.take("log").map(this::taskLog).orElse(false);
        var stat = top.map("stat").map(m -> StatConfig.parse(m, ctx.baseDir()));
        top.map("controller").ifPresent(c -> c.raw().fieldNames().forEachRemaining(k -> c.take(k)));
        var resolvers = section(top, "resolver", (m, c) -> ResolverConfigs.parse(m, c.baseDir()));
        var escapers = section(top, "escaper", (m, c) -> EscaperConfigs.parse(m, c.baseDir()));
        var userGroups = section(top, "user_group", (m, c) -> UserGroupConfig.parse(m, c.baseDir()), "user");
        var auditors = section(top, "auditor", (m, c) -> AuditorConfig.parse(m, c.baseDir()));
        var servers = section(top, "server", ServerConfigs::parse);
        top.finish();
        return new G3Config(mainFile, runtime, stat, servers, escapers, resolvers, userGroups, auditors, warnings,
                taskLog);
    }

    /**
     * {@code log}: whether task logs are written (to stderr, one line a task). As in g3proxy the default driver is
     * {@code discard}; a map's {@code task} entry, else its {@code default}, decides for task logs. Drivers g3k
     * does not have (journal, syslog, fluentd) log to stderr, with a warning.
     */
    private boolean taskLog(JsonNode node) {
        JsonNode chosen = node.isObject() ? (node.hasNonNull("task") ? node.get("task") : node.get("default")) : node;
        String driver = chosen == null ? "discard" : chosen.isTextual() ? Keys.normalize(chosen.asText()) : "map";
        if (!driver.equals("stdout") && !driver.equals("discard")) {
            warnings.add(mainFile + ": key 'log': g3k writes logs to stderr; the '" + driver + "' driver is not available");
        }
        return !driver.equals("discard");
    }

    private <T> List<T> section(YamlMap top, String key, BiFunction<YamlMap, LoadContext, T> parser, String... aliases) {
        Optional<JsonNode> value = top.take(key, aliases);
        List<T> out = new ArrayList<>();
        if (value.isEmpty() || value.get().isNull()) {
            return out;
        }
        JsonNode node = value.get();
        if (node.isTextual()) {
            loadPath(mainFile, node.asText(), key, parser, out);
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (item.isTextual()) {
                    loadPath(mainFile, item.asText(), key, parser, out);
                } else {
                    String location = mainFile + ": " + key + "[" + i + "]" + nameOf(item);
                    out.add(parser.apply(new YamlMap(item, location, warnings), new LoadContext(mainFile, warnings)));
                }
            }
        } else {
            throw new ConfigException(mainFile + " key '" + key + "': expected a list of entries or a path");
        }
        return out;
    }

    private <T> void loadPath(Path from, String relative, String key, BiFunction<YamlMap, LoadContext, T> parser,
                              List<T> out) {
        Path path = from.toAbsolutePath().getParent().resolve(relative).normalize();
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                for (Path file : files.filter(p -> p.getFileName().toString().endsWith(extension))
                        .filter(Files::isRegularFile).sorted().toList()) {
                    loadFile(file, key, parser, out);
                }
            } catch (IOException e) {
                throw new ConfigException(path + ": cannot list directory: " + e.getMessage(), e);
            }
        } else if (Files.isRegularFile(path)) {
            loadFile(path, key, parser, out);
        } else {
            throw new ConfigException(from + " key '" + key + "': '" + relative + "' is neither a file nor a directory");
        }
    }

    private <T> void loadFile(Path file, String key, BiFunction<YamlMap, LoadContext, T> parser, List<T> out) {
        List<JsonNode> docs = readDocuments(file);
        for (int i = 0; i < docs.size(); i++) {
            JsonNode doc = docs.get(i);
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            String location = file + ": " + key + " document " + i + nameOf(doc);
            out.add(parser.apply(new YamlMap(doc, location, warnings), new LoadContext(file, warnings)));
        }
    }

    private static String nameOf(JsonNode item) {
        JsonNode name = item.isObject() ? item.get("name") : null;
        return name != null && name.isTextual() ? " '" + name.asText() + "'" : "";
    }

    private static List<JsonNode> readDocuments(Path file) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNextValue()) {
                docs.add(it.nextValue());
            }
            return docs;
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": invalid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : ""), e);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
