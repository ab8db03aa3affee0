package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A network ACL matched by longest prefix, as g3proxy's {@code egress_network_filter}: a user entry for a narrower
 * network (allow 127.0.0.1) beats a built-in wider one (forbid 127.0.0.0/8); at the same prefix the user wins.
 */
public record NetworkFilter(List<Rule> rules, AclAction missed) {
    public record Rule(IpNetwork network, AclAction action) {}

    /**
     * The egress built-ins. Safer than g3proxy's: the IPv4-mapped forms are caught by canonicalisation, 0.0.0.0/8
     * and AWS's IPv6 metadata address are denied too.
     */
    public static final List<String> EGRESS_BUILTIN_DENY = List.of(
            "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "::/128", "::1/128", "fe80::/10", "100::/64",
            "fd00:ec2::254/128");

    /** The filter used when the key is absent: built-ins denied, everything else permitted. */
    public static NetworkFilter egressDefault() {
        return new NetworkFilter(builtins(), AclAction.PERMIT);
    }

    /** {@code egress_network_filter}: the built-in denies stay unless a rule overrides them. */
    public static NetworkFilter parseEgress(JsonNode node) {
        return parse(node, builtins());
    }

    /**
     * {@code ingress_network_filter}: as g3proxy, once the key is present only 127.0.0.1 and ::1 are permitted
     * unless rules say otherwise; checked against the client address (from PROXY protocol when chained).
     */
    public static NetworkFilter parseIngress(JsonNode node) {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule(IpNetwork.parse("127.0.0.1"), AclAction.PERMIT));
        rules.add(new Rule(IpNetwork.parse("::1"), AclAction.PERMIT));
        return parse(node, rules);
    }

    /**
     * Reads the g3proxy forms: a map ({@code default: allow, allow: [..], forbid: ..}), or a list / scalar of
     * networks that are permitted (everything else forbidden).
     */
    private static NetworkFilter parse(JsonNode node, List<Rule> rules) {
        AclAction missed = AclAction.rules(node, (net, action) -> add(rules, new Rule(IpNetwork.parse(net), action)));
        return new NetworkFilter(List.copyOf(rules), missed);
    }

    public AclAction check(InetAddress address) {
        Rule best = null;
        for (Rule rule : rules) {
            if (rule.network().contains(address) && (best == null || rule.network().prefix() > best.network().prefix())) {
                best = rule;
            }
        }
        return best == null ? missed : best.action();
    }

    private static List<Rule> builtins() {
        List<Rule> rules = new ArrayList<>();
        EGRESS_BUILTIN_DENY.forEach(n -> rules.add(new Rule(IpNetwork.parse(n), AclAction.FORBID)));
        return rules;
    }

    private static void add(List<Rule> rules, Rule rule) {
        rules.removeIf(r -> r.network().equals(rule.network()));
        rules.add(rule);
    }
}
