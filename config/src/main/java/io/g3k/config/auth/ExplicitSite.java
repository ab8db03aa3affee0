package io.g3k.config.auth;

import io.g3k.config.IpNetwork;
import io.g3k.config.ResolveStrategy;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A user's {@code explicit_sites} entry: a named set of targets with its own stats, resolve strategy and HTTP response
 * header timeout.
 */
public record ExplicitSite(String id, List<String> exactMatch, List<String> childMatch, List<IpNetwork> subnetMatch,
                           boolean emitStats, Optional<ResolveStrategy> resolveStrategy,
                           Optional<Duration> httpRspHeaderRecvTimeout) {
    static ExplicitSite parse(YamlMap map) {
        String id = map.requireString("id");
        if (!id.matches("[A-Za-z0-9_.-]+")) {
            throw map.error("id", "letters, digits, '.', '-' and '_' only (it becomes part of metric names)");
        }
        var site = new ExplicitSite(id,
                map.take("exact_match", n -> Values.stringList(n).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList())
                        .orElse(List.of()),
                map.take("child_match", n -> Values.stringList(n).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList())
                        .orElse(List.of()),
                map.take("subnet_match", n -> Values.stringList(n).stream().map(IpNetwork::parse).toList())
                        .orElse(List.of()),
                map.bool("emit_stats", false),
                map.take("resolve_strategy", n -> ResolveStrategy.parse(n, map.location() + " key 'resolve_strategy'")),
                map.take("http_rsp_header_recv_timeout", Values::duration));
        map.ignoreWithWarning("duration_stats", "tls_client");
        map.finish();
        return site;
    }

    public boolean matches(UpstreamAddr target) {
        var ip = target.ip();
        if (ip.isPresent()) {
            return exactMatch.contains(target.host()) || subnetMatch.stream().anyMatch(n -> n.contains(ip.get()));
        }
        return exactMatch.contains(target.host()) || childMatch.stream().anyMatch(c -> target.host().endsWith("." + c)
                || target.host().equals(c));
    }
}
