package io.g3k.dataplane.auth;

import io.g3k.config.auth.PasswordToken;
import io.g3k.config.auth.UserConfig;
import io.g3k.config.auth.UserGroupConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A {@code basic} user group. Checks take the same time whether or not the user exists (an unknown name is checked
 * against a decoy token), and hashes are compared in constant time, so a failure reveals nothing.
 */
public final class UserGroup {
    private static final PasswordToken.FastHash DECOY = new PasswordToken.FastHash(
            HexFormat.of().parseHex("0000000000000000"),
            Map.of("MD5", new byte[16], "SHA-1", new byte[20]));

    private final String name;
    private final Map<String, UserConfig> users;

    public UserGroup(UserGroupConfig config) {
        this.name = config.name();
        this.users = config.staticUsers().stream()
                .collect(Collectors.toMap(UserConfig::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    /** A group with no users, for a dangling reference: every check fails. */
    public static UserGroup empty(String name) {
        return new UserGroup(new UserGroupConfig(name, java.util.List.of()));
    }

    public String name() {
        return name;
    }

    /** The user name when the credentials are valid. */
    public Optional<String> authenticate(String username, String password) {
        UserConfig user = users.get(username);
        PasswordToken token = user == null ? DECOY : user.token();
        boolean ok = verify(token, password) && user != null;
        return ok ? Optional.of(user.name()) : Optional.empty();
    }

    private static boolean verify(PasswordToken token, String password) {
        return switch (token) {
            case PasswordToken.Forbidden f -> {
                verify(DECOY, password);
                yield false;
            }
            case PasswordToken.SkipVerify s -> true;
            case PasswordToken.FastHash hash -> {
                boolean all = true;
                for (var e : hash.hashes().entrySet()) {
                    all &= MessageDigest.isEqual(digest(e.getKey(), password, hash.salt()), e.getValue());
                }
                yield all;
            }
        };
    }

    private static byte[] digest(String algorithm, String password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            md.update(salt);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
