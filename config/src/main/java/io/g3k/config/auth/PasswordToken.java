package io.g3k.config.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.Keys;
import io.g3k.config.Values;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** A static user's {@code token}: how the password is checked. */
public sealed interface PasswordToken {
    /** No {@code token} key: the user can never authenticate. */
    record Forbidden() implements PasswordToken {}

    /** {@code token: null}: the password is not checked. */
    record SkipVerify() implements PasswordToken {}

    /** A crypt(5) string: {@code $1$} (MD5), {@code $5$} (SHA-256) or {@code $6$} (SHA-512). */
    record CryptHash(String value) implements PasswordToken {}

    /** g3proxy's fast hash: 8 salt bytes, and md5 and/or sha1 of password ‖ salt; every listed hash must match. */
    record FastHash(byte[] salt, Map<String, byte[]> hashes) implements PasswordToken {
        /** By content, so an unchanged user group compares equal on reload. */
        @Override
        public boolean equals(Object o) {
            return o instanceof FastHash other && java.util.Arrays.equals(salt, other.salt)
                    && hashes.keySet().equals(other.hashes.keySet())
                    && hashes.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(), other.hashes.get(e.getKey())));
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(salt);
        }
    }

    static PasswordToken parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return new SkipVerify();
        }
        if (node.isTextual()) {
            return crypt(node.asText());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map with salt and md5/sha1");
        }
        byte[] salt = null;
        Map<String, byte[]> hashes = new LinkedHashMap<>();
        for (var e : node.properties()) {
            String key = Keys.normalize(e.getKey());
            String value = Values.string(e.getValue());
            switch (key) {
                case "type" -> {
                    String type = Keys.normalize(value);
                    if (type.equals("xcrypt_hash")) {
                        JsonNode hash = node.get("value");
                        return crypt(hash == null ? "" : Values.string(hash));
                    }
                    if (!type.equals("fast_hash")) {
                        throw new IllegalArgumentException("token type '" + value
                                + "' is not supported (fast_hash or xcrypt_hash)");
                    }
                }
                case "value" -> { }
                case "salt" -> salt = hex(value, "salt");
                case "md5" -> hashes.put("MD5", expectLength(hex(value, "md5"), 16, "md5"));
                case "sha1" -> hashes.put("SHA-1", expectLength(hex(value, "sha1"), 20, "sha1"));
                default -> throw new IllegalArgumentException("unknown or unsupported token key '" + key + "'");
            }
        }
        if (salt == null || salt.length != 8) {
            throw new IllegalArgumentException("token needs 'salt': 8 bytes as 16 hex characters");
        }
        if (hashes.isEmpty()) {
            throw new IllegalArgumentException("token needs at least one of 'md5', 'sha1'");
        }
        return new FastHash(salt, Map.copyOf(hashes));
    }

    private static PasswordToken crypt(String hash) {
        if (!hash.matches("\\$[156]\\$[^\\s]+")) {
            throw new IllegalArgumentException("crypt tokens must be $1$, $5$ or $6$ hashes");
        }
        return new CryptHash(hash);
    }

    private static byte[] hex(String text, String what) {
        try {
            return HexFormat.of().parseHex(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + what + "' is not valid hex");
        }
    }

    private static byte[] expectLength(byte[] bytes, int length, String what) {
        if (bytes.length != length) {
            throw new IllegalArgumentException("'" + what + "' must be " + length + " bytes of hex");
        }
        return bytes;
    }
}
