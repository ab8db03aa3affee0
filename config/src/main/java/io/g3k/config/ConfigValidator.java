package io.g3k.config;

import io.g3k.config.audit.AuditorConfig;
import io.g3k.config.auth.UserGroupConfig;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.config.escaper.EscaperConfig;
import io.g3k.config.resolver.ResolverConfig;
import io.g3k.config.server.ServerConfig;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks across objects: names valid and unique per kind, listen addresses not shared. Dangling references are
 * not errors (g3proxy falls back to deny), but each gets a warning so nobody is surprised.
 */
final class ConfigValidator {
    /** g3proxy's metric node name rule. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}0-9_./-]+");

    private ConfigValidator() {}

    static void validate(G3Config config) {
        Set<String> servers = names("server", config.servers(), ServerConfig::name);
        Set<String> escapers = names("escaper", config.escapers(), EscaperConfig::name);
        Set<String> resolvers = names("resolver", config.resolvers(), ResolverConfig::name);
        Set<String> groups = names("user_group", config.userGroups(), UserGroupConfig::name);
        Set<String> auditors = names("auditor", config.auditors(), AuditorConfig::name);
        Map<InetSocketAddress, String> listens = new HashMap<>();
        for (ServerConfig server : config.servers()) {
            server.base().escaper().filter(e -> !escapers.contains(e)).ifPresent(e -> config.warnings().add(
                    "server '" + server.name() + "': escaper '" + e + "' is not defined; every task will be denied"));
            for (String next : server.nextServers()) {
                if (next.equals(server.name())) {
                    throw new ConfigException("server '" + server.name() + "' hands connections to itself");
                }
                if (!servers.contains(next)) {
                    config.warnings().add("server '" + server.name() + "': next server '" + next
                            + "' is not defined; its connections will be closed");
                }
            }
            server.base().userGroup().filter(g -> !groups.contains(g)).ifPresent(g -> config.warnings().add("server '"
                    + server.name() + "': user_group '" + g + "' is not defined; every authentication will fail"));
            server.base().auditor().filter(a -> !auditors.contains(a)).ifPresent(a -> config.warnings().add("server '"
                    + server.name() + "': auditor '" + a + "' is not defined; its traffic will not be audited"));
            server.listen().ifPresent(listen -> {
                String other = listens.putIfAbsent(listen.address(), server.name());
                if (other != null && listen.address().getPort() != 0) {
                    throw new ConfigException("server '" + server.name() + "' key 'listen': " + listen
                            + " is already used by server '" + other + "'");
                }
            });
        }
        for (EscaperConfig escaper : config.escapers()) {
            if (escaper instanceof DirectFixedEscaperConfig direct && !resolvers.contains(direct.resolver())) {
                config.warnings().add("escaper '" + escaper.name() + "': resolver '" + direct.resolver()
                        + "' is not defined; only IP targets will work");
            }
        }
    }

    private static <T> Set<String> names(String kind, List<T> items, Function<T, String> name) {
        Set<String> seen = new HashSet<>();
        for (T item : items) {
            String n = name.apply(item);
            if (!NAME.matcher(n).matches()) {
                throw new ConfigException(kind + " '" + n + "': invalid name (letters, digits, '-', '_', '.', '/')");
            }
            if (!seen.add(n)) {
                throw new ConfigException(kind + " '" + n + "' is defined twice");
            }
        }
        return seen;
    }
}
