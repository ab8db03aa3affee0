package io.g3k.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.g3k.operator.api.Auditor;
import io.g3k.operator.api.Escaper;
import io.g3k.operator.api.ProxyGroup;
import io.g3k.operator.api.Resolver;
import io.g3k.operator.api.Server;
import io.g3k.operator.api.UserGroup;
import io.g3k.operator.render.ConfigRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads custom resources (and Secrets) from multi-document YAML files, as kubectl would apply them. */
final class CustomResourceFiles {
    static final YAMLMapper YAML = new YAMLMapper();

    ProxyGroup group;
    final List<Server> servers = new ArrayList<>();
    final List<Escaper> escapers = new ArrayList<>();
    final List<Resolver> resolvers = new ArrayList<>();
    final List<UserGroup> userGroups = new ArrayList<>();
    final List<Auditor> auditors = new ArrayList<>();
    final Map<String, Secret> secrets = new LinkedHashMap<>();

    static CustomResourceFiles read(Path... files) throws IOException {
        CustomResourceFiles out = new CustomResourceFiles();
        for (Path file : files) {
            for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
                out.add((ObjectNode) doc);
            }
        }
        return out;
    }

    private void add(ObjectNode doc) throws IOException {
        String kind = doc.get("kind").asText();
        // the typed classes carry apiVersion and kind themselves; fabric8 would otherwise look them up
        doc.remove(List.of("kind", "apiVersion"));
        switch (kind) {
            case "ProxyGroup" -> group = YAML.treeToValue(doc, ProxyGroup.class);
            case "Server" -> servers.add(YAML.treeToValue(doc, Server.class));
            case "Escaper" -> escapers.add(YAML.treeToValue(doc, Escaper.class));
            case "Resolver" -> resolvers.add(YAML.treeToValue(doc, Resolver.class));
            case "UserGroup" -> userGroups.add(YAML.treeToValue(doc, UserGroup.class));
            case "Auditor" -> auditors.add(YAML.treeToValue(doc, Auditor.class));
            case "Secret" -> {
                String name = doc.get("metadata").get("name").asText();
                SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
                doc.path("stringData").properties().forEach(e -> secret.addToData(e.getKey(), Base64.getEncoder()
                        .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
                doc.path("data").properties().forEach(e -> secret.addToData(e.getKey(), e.getValue().asText()));
                secrets.put(name, secret.build());
            }
            default -> throw new IllegalArgumentException("unexpected kind " + kind);
        }
    }

    ConfigRenderer.Modules modules() {
        return new ConfigRenderer.Modules(servers, escapers, resolvers, userGroups, auditors);
    }
}
