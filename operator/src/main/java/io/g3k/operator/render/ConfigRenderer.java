package io.g3k.operator.render;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.g3k.config.ConfigException;
import io.g3k.config.ConfigLoader;
import io.g3k.operator.api.Auditor;
import io.g3k.operator.api.Escaper;
import io.fabric8.kubernetes.client.CustomResource;
import io.g3k.operator.api.ModuleStatus;
import io.g3k.operator.api.ModuleSpec;
import io.g3k.operator.api.ObjectRef;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.Resolver;
import io.g3k.operator.api.Server;
import io.g3k.operator.api.UserGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns a ProxyGroup and its modules into one g3proxy config (a pure function: same input, byte-identical
 * output). Each module is checked alone with the shared config model; an invalid one is left out and reported,
 * never blocking the others. Broken references are reported too, and fail closed in the data plane (a missing
 * escaper denies, as in g3proxy).
 */
public final class ConfigRenderer {
    /** Where the data-plane pods mount the TLS Secrets that servers reference. */
    public static final String SECRETS_DIR = "/etc/g3k/secrets";

    /** A module's verdict. */
    public record ObjectResult(boolean accepted, String reason, String message, boolean refsResolved,
                               String refsMessage) {}

    /** The modules selected for the group. */
    public record Modules(List<Server> servers, List<Escaper> escapers, List<Resolver> resolvers,
                          List<UserGroup> userGroups, List<Auditor> auditors) {}

    /** The bundle and what was said about each object ({@code kind/name}). */
    public record Rendered(String yaml, String hash, boolean valid, String error, Map<String, ObjectResult> results,
                           List<String> tlsSecrets, Map<String, Integer> ports) {}

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ConfigRenderer() {}

    public static Rendered render(ProxyGroup group, Modules modules, Function<String, Optional<Secret>> secrets) {
        Map<String, ObjectResult> results = new TreeMap<>();
        TreeSet<String> tlsSecrets = new TreeSet<>();
        Map<String, Object> main = new LinkedHashMap<>(processSettings(group));
        Map<String, List<String>> accepted = new LinkedHashMap<>();
        for (var section : List.<Object[]>of(
                new Object[] {"resolver", modules.resolvers()}, new Object[] {"escaper", modules.escapers()},
                new Object[] {"user_group", modules.userGroups()}, new Object[] {"auditor", modules.auditors()},
                new Object[] {"server", modules.servers()})) {
            String kind = (String) section[0];
            @SuppressWarnings("unchecked")
            List<CustomResource<? extends ModuleSpec, ModuleStatus>> objects =
                    new ArrayList<>((List<CustomResource<? extends ModuleSpec, ModuleStatus>>) section[1]);
            objects.sort(Comparator.comparing(o -> o.getMetadata().getName()));
            List<Object> entries = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (CustomResource<? extends ModuleSpec, ModuleStatus> object : objects) {
                String key = object.getKind() + "/" + object.getMetadata().getName();
                try {
                    Map<String, Object> entry = entry(kind, object, secrets, tlsSecrets);
                    validateAlone(kind, entry);
                    entries.add(entry);
                    names.add(object.getMetadata().getName());
                    results.put(key, new ObjectResult(true, "Valid", "rendered into the group's config", true, ""));
                } catch (Rejected e) {
                    results.put(key, new ObjectResult(false, e.reason, e.getMessage(), true, ""));
                }
            }
            accepted.put(kind, names);
            if (!entries.isEmpty()) {
                main.put(kind, entries);
            }
        }
        checkReferences(modules, accepted, results);
        String yaml;
        try {
            yaml = YAML.writeValueAsString(main);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String error = "";
        boolean valid = true;
        Map<String, Integer> ports = new TreeMap<>();
        try {
            validate(yaml).servers().forEach(s -> s.listen().ifPresent(l -> ports.put(s.name(), l.address().getPort())));
        } catch (ConfigException e) {
            valid = false;
            error = e.getMessage().replaceAll("^\\S*main\\.yml: ", "");
        }
        return new Rendered(yaml, sha256(yaml).substring(0, 16), valid, error, results, List.copyOf(tlsSecrets),
                ports);
    }

    /** g3proxy's process-wide sections from the ProxyGroup. */
    private static Map<String, Object> processSettings(ProxyGroup group) {
        Map<String, Object> main = new LinkedHashMap<>();
        var spec = group.getSpec();
        main.put("runtime", Map.of("task_wait_timeout", spec.drainTimeout == null ? "10m" : spec.drainTimeout));
        if (spec.workers != null) {
            main.put("worker", Map.of("thread_number", spec.workers));
        }
        if (spec.stat != null && !spec.stat.isEmpty()) {
            main.put("stat", CamelKeys.toSnake(spec.stat));
        }
        if (spec.log != null) {
            main.put("log", spec.log);
        }
        return main;
    }

    private static Map<String, Object> entry(String kind, CustomResource<? extends ModuleSpec, ModuleStatus> object, Function<String, Optional<Secret>> secrets,
                                             TreeSet<String> tlsSecrets) throws Rejected {
        ModuleSpec spec = object.getSpec();
        if (spec == null || spec.type == null) {
            throw new Rejected("InvalidSpec", "spec.type is required");
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", object.getMetadata().getName());
        if (!kind.equals("auditor")) {
            entry.put("type", spec.type);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) CamelKeys.toSnake(spec.options == null ? Map.of() : spec.options);
        entry.putAll(options);
        entry.putAll(spec.typedKeys());
        if (object instanceof Server server && server.getSpec().tlsSecretRef != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> tls = new LinkedHashMap<>((Map<String, Object>) entry.getOrDefault("tls_server", Map.of()));
            tls.put("cert_pairs", mountedPair(secrets, tlsSecrets, server.getSpec().tlsSecretRef.name,
                    "certificate", "private_key"));
            entry.put("tls_server", tls);
        }
        if (object instanceof Auditor auditor && auditor.getSpec().caSecretRef != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> generator = new LinkedHashMap<>(
                    (Map<String, Object>) entry.getOrDefault("tls_cert_generator", Map.of()));
            generator.putAll(mountedPair(secrets, tlsSecrets, auditor.getSpec().caSecretRef.name,
                    "ca_certificate", "ca_private_key"));
            entry.put("tls_cert_generator", generator);
        }
        if (object instanceof UserGroup group && group.getSpec().staticUsersSecretRef != null) {
            String secret = group.getSpec().staticUsersSecretRef.name;
            String users = new String(Base64.getDecoder().decode(require(secrets, secret, "users.yaml")),
                    StandardCharsets.UTF_8);
            try {
                entry.put("static_users", YAML.readValue(users, List.class));
            } catch (IOException | ClassCastException e) {
                throw new Rejected("InvalidSecret", "Secret '" + secret + "' key users.yaml is not a YAML list: "
                        + e.getMessage());
            }
        }
        return entry;
    }

    /** A {@code kubernetes.io/tls} Secret mounted into the pods: its certificate and key paths under the given keys. */
    private static Map<String, Object> mountedPair(Function<String, Optional<Secret>> secrets, TreeSet<String> mounted,
                                                   String secret, String certificateKey, String keyKey) throws Rejected {
        require(secrets, secret, "tls.crt");
        require(secrets, secret, "tls.key");
        mounted.add(secret);
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put(certificateKey, SECRETS_DIR + "/" + secret + "/tls.crt");
        pair.put(keyKey, SECRETS_DIR + "/" + secret + "/tls.key");
        return pair;
    }

    private static String require(Function<String, Optional<Secret>> secrets, String name, String key)
            throws Rejected {
        Secret secret = secrets.apply(name).orElseThrow(() -> new Rejected("SecretNotFound",
                "Secret '" + name + "' not found"));
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null) {
            throw new Rejected("SecretNotFound", "Secret '" + name + "' has no key " + key);
        }
        return value;
    }

    /** The object alone through the shared config model: its keys, types and values. */
    private static void validateAlone(String kind, Map<String, Object> entry) throws Rejected {
        try {
            validate(YAML.writeValueAsString(Map.of(kind, List.of(entry))));
        } catch (ConfigException e) {
            throw new Rejected("InvalidConfig", e.getMessage().replaceAll("^\\S*main\\.yml: ", ""));
        } catch (IOException e) {
            throw new Rejected("InvalidConfig", e.getMessage());
        }
    }

    private static io.g3k.config.G3Config validate(String yaml) {
        try {
            Path dir = Files.createTempDirectory("g3k-render");
            try {
                Path main = Files.writeString(dir.resolve("main.yml"), yaml);
                return ConfigLoader.load(main);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkReferences(Modules modules, Map<String, List<String>> accepted,
                                        Map<String, ObjectResult> results) {
        for (Server s : modules.servers()) {
            var spec = s.getSpec();
            if (spec == null) {
                continue;
            }
            List<String> broken = new ArrayList<>();
            missing(broken, "Escaper", spec.escaperRef, accepted.get("escaper"));
            missing(broken, "UserGroup", spec.userGroupRef, accepted.get("user_group"));
            missing(broken, "Auditor", spec.auditorRef, accepted.get("auditor"));
            missing(broken, "Server", spec.serverRef, accepted.get("server"));
            mark(results, s, broken);
        }
        for (Escaper e : modules.escapers()) {
            if (e.getSpec() != null) {
                List<String> broken = new ArrayList<>();
                missing(broken, "Resolver", e.getSpec().resolverRef, accepted.get("resolver"));
                mark(results, e, broken);
            }
        }
    }

    private static void missing(List<String> broken, String kind, ObjectRef ref, List<String> names) {
        if (ref != null && ref.name != null && !names.contains(ref.name)) {
            broken.add(kind + " '" + ref.name + "' not found or not accepted");
        }
    }

    private static void mark(Map<String, ObjectResult> results, HasMetadata object, List<String> broken) {
        String key = object.getKind() + "/" + object.getMetadata().getName();
        ObjectResult r = results.get(key);
        if (r != null && !broken.isEmpty()) {
            results.put(key, new ObjectResult(r.accepted(), r.reason(), r.message(), false,
                    String.join("; ", broken) + " (traffic through it is denied)"));
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    private static final class Rejected extends Exception {
        final String reason;

        Rejected(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
