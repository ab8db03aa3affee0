package io.g3k.dataplane.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.ConfigLoader;
import io.g3k.config.auth.PasswordToken;
import io.g3k.config.auth.UserConfig;
import io.g3k.config.auth.UserGroupConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code basic} user group: static users first, then dynamic users from the {@code source} file (JSON or YAML,
 * the static user schema), re-read when it changes. A broken file keeps the users loaded before. Checks take the
 * same time whether or not the user exists (unknown names are checked against a decoy token) and compare in
 * constant time, so a failure tells nothing.
 */
public final class UserGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");
    private static final PasswordToken.FastHash DECOY = new PasswordToken.FastHash(
            HexFormat.of().parseHex("0000000000000000"), Map.of("MD5", new byte[16], "SHA-1", new byte[20]));

    private final UserGroupConfig config;
    private final Map<String, User> staticUsers;
    private volatile Map<String, User> dynamicUsers = Map.of();
    private FileTime sourceVersion;
    private ScheduledFuture<?> refresh;

    public UserGroup(UserGroupConfig config, ScheduledExecutorService scheduler) {
        this.config = config;
        this.staticUsers = users(config.staticUsers());
        config.sourceFile().ifPresent(file -> {
            loadSource(file);
            long ms = config.refreshInterval().toMillis();
            refresh = scheduler.scheduleWithFixedDelay(() -> loadSource(file), ms, ms, TimeUnit.MILLISECONDS);
        });
    }

    /** A group with no users, for a dangling reference: every check fails. */
    public static UserGroup empty(String name) {
        return new UserGroup(new UserGroupConfig(name, List.of(), Optional.empty(), java.time.Duration.ofMinutes(1)),
                null);
    }

    public String name() {
        return config.name();
    }

    /** Told of a known user refused: a wrong password, or ({@code expired}) a user past its {@code expire}. */
    public interface Refusals {
        Refusals NONE = (user, expired) -> { };

        void refused(User user, boolean expired);
    }

    /** The user when the credentials are valid and the user has not expired. */
    public Optional<User> authenticate(String username, String password) {
        return authenticate(username, password, Refusals.NONE);
    }

    public Optional<User> authenticate(String username, String password, Refusals refusals) {
        User user = staticUsers.get(username);
        if (user == null) {
            user = dynamicUsers.get(username);
        }
        PasswordToken token = user == null ? DECOY : user.config().token();
        boolean passwordOk = verify(token, password);
        if (user == null) {
            return Optional.empty();
        }
        if (!passwordOk || user.expired()) {
            refusals.refused(user, passwordOk);
            return Optional.empty();
        }
        return Optional.of(user);
    }

    private Map<String, User> users(List<UserConfig> configs) {
        Map<String, User> out = new LinkedHashMap<>();
        configs.forEach(u -> out.putIfAbsent(u.name(), new User(config.name(), u, false)));
        return Map.copyOf(out);
    }

    private synchronized void loadSource(Path file) {
        try {
            FileTime version = Files.getLastModifiedTime(file);
            if (version.equals(sourceVersion)) {
                return;
            }
            int count = publish(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            sourceVersion = version;
            LOG.info("user group '{}': {} dynamic users loaded from {}", config.name(), count, file);
        } catch (Exception e) {
            LOG.warn("user group '{}': cannot load users from {}, keeping the previous ones: {}", config.name(), file,
                    e.getMessage());
        }
    }

    /**
     * Replaces the dynamic users with those of a JSON/YAML list (the {@code user-group publish} call, or the source
     * file). All or nothing: an invalid list changes nothing. Returns how many users there are now.
     */
    public synchronized int publish(String contents, String origin) throws java.io.IOException {
        JsonNode root = ConfigLoader.YAML.readTree(contents);
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(origin + ": expected a list of users");
        }
        List<UserConfig> configs = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            configs.add(UserConfig.parseDynamic(root.get(i), origin + ": user[" + i + "]", new ArrayList<>()));
        }
        Map<String, User> previous = dynamicUsers;
        Map<String, User> next = new LinkedHashMap<>();
        // unchanged users keep their objects, so their rate limits and alive counts carry on
        for (UserConfig c : configs) {
            User old = previous.get(c.name());
            next.putIfAbsent(c.name(), old != null && old.config().equals(c) ? old : new User(config.name(), c, true));
        }
        dynamicUsers = Map.copyOf(next);
        return next.size();
    }

    public List<String> staticUserNames() {
        return List.copyOf(staticUsers.keySet());
    }

    public List<String> dynamicUserNames() {
        return List.copyOf(dynamicUsers.keySet());
    }

    @Override
    public void close() {
        if (refresh != null) {
            refresh.cancel(false);
        }
    }

    private static boolean verify(PasswordToken token, String password) {
        return switch (token) {
            case PasswordToken.Forbidden f -> {
                verify(DECOY, password);
                yield false;
            }
            case PasswordToken.SkipVerify s -> true;
            case PasswordToken.CryptHash crypt -> Crypt.verify(password, crypt.value());
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
