package io.g3k.config.auth;

import io.g3k.config.YamlMap;

/** A static user. */
public record UserConfig(String name, PasswordToken token) {
    static UserConfig parse(YamlMap map) {
        String name = map.requireString("name");
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw map.error("name", "must be 1..255 bytes");
        }
        PasswordToken token = map.has("token")
                ? map.take("token", PasswordToken::parse).orElseThrow()
                : new PasswordToken.Forbidden();
        map.finish();
        return new UserConfig(name, token);
    }
}
