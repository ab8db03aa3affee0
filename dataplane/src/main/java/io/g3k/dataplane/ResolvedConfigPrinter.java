package io.g3k.dataplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.g3k.config.G3Config;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code g3k check}: the config as g3k understood it, every default filled in, as YAML. Secrets are not printed. */
final class ResolvedConfigPrinter {
    private ResolvedConfigPrinter() {}

    static String print(G3Config config) throws JsonProcessingException {
        YAMLMapper yaml = YAMLMapper.builder()
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .propertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .build();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runtime", config.runtime());
        out.put("resolver", config.resolvers());
        out.put("escaper", config.escapers());
        out.put("user_group", config.userGroups().stream().map(g -> Map.of("name", g.name(),
                "static_users", g.staticUsers().stream().map(u -> Map.of("name", u.name(),
                        "token", u.token().getClass().getSimpleName())).toList())).toList());
        out.put("auditor", config.auditors());
        out.put("server", config.servers());
        return yaml.writeValueAsString(out);
    }
}
