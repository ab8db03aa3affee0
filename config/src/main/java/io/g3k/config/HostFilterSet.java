package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code dst_host_filter_set}: exact hosts or IPs, child domains, regexes over the host name, IP subnets; checked in
 * that order, any hit permits; a target that matches nothing is forbidden.
 */
public record HostFilterSet(Set<String> exact, List<String> child, List<Pattern> regex, List<IpNetwork> subnet) {
    public static HostFilterSet parse(YamlMap map) {
        Set<String> exact = map.take("exact_match", n -> Set.copyOf(Values.stringList(n).stream()
                .map(HostFilterSet::normalize).toList()), "exact").orElse(Set.of());
        List<String> child = map.take("child_match", n -> Values.stringList(n).stream()
                .map(HostFilterSet::normalize).toList(), "child").orElse(List.of());
        List<Pattern> regex = map.take("regex_match", n -> Values.stringList(n).stream().map(Pattern::compile).toList(),
                "regex").orElse(List.of());
        List<IpNetwork> subnet = map.take("subnet_match", n -> Values.stringList(n).stream().map(IpNetwork::parse)
                .toList(), "subnet").orElse(List.of());
        map.finish();
        return new HostFilterSet(exact, child, regex, subnet);
    }

    public boolean permits(UpstreamAddr target) {
        String host = target.host();
        if (exact.contains(host)) {
            return true;
        }
        var ip = target.ip();
        if (ip.isEmpty()) {
            for (String c : child) {
                if (host.endsWith("." + c)) {
                    return true;
                }
            }
            for (Pattern p : regex) {
                if (p.matcher(host).find()) {
                    return true;
                }
            }
            return false;
        }
        return subnet.stream().anyMatch(n -> n.contains(ip.get()));
    }

    private static String normalize(String host) {
        return IpLiteral.parse(host).map(java.net.InetAddress::getHostAddress)
                .orElse(host.toLowerCase(Locale.ROOT).replaceAll("^\\.+|\\.+$", ""));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostFilterSet other && exact.equals(other.exact) && child.equals(other.child)
                && subnet.equals(other.subnet)
                && regex.stream().map(Pattern::pattern).toList().equals(other.regex.stream().map(Pattern::pattern).toList());
    }

    @Override
    public int hashCode() {
        return exact.hashCode();
    }

}
