package io.g3k.config;

import io.g3k.config.audit.AuditorConfig;
import io.g3k.config.auth.UserGroupConfig;
import io.g3k.config.escaper.EscaperConfig;
import io.g3k.config.resolver.ResolverConfig;
import io.g3k.config.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;

/** A whole g3proxy config as loaded from main.yml and the files it points to; objects keep their file order. */
public record G3Config(Path mainFile, RuntimeConfig runtime, java.util.Optional<StatConfig> stat,
                       List<ServerConfig> servers, List<EscaperConfig> escapers,
                       List<ResolverConfig> resolvers, List<UserGroupConfig> userGroups, List<AuditorConfig> auditors,
                       List<String> warnings, boolean taskLog) {}
