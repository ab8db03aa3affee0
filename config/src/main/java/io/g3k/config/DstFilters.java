package io.g3k.config;

import java.util.Optional;

/**
 * {@code dst_port_filter} and {@code dst_host_filter_set}, as a user or a proxy server (http_proxy, socks_proxy)
 * has them: a target must pass both that are set. A server's apply to every task on it, before any user's.
 */
public record DstFilters(Optional<PortFilter> ports, Optional<HostFilterSet> hosts) {
    public static final DstFilters NONE = new DstFilters(Optional.empty(), Optional.empty());

    public static DstFilters parse(YamlMap map) {
        return new DstFilters(map.take("dst_port_filter", PortFilter::parse),
                map.map("dst_host_filter_set").map(HostFilterSet::parse));
    }

    public boolean permits(UpstreamAddr target) {
        return (ports.isEmpty() || ports.get().permits(target.port()))
                && (hosts.isEmpty() || hosts.get().permits(target));
    }
}
