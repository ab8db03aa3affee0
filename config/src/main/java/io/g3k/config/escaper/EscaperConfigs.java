package io.g3k.config.escaper;

import io.g3k.config.ConfigException;
import io.g3k.config.Keys;
import io.g3k.config.YamlMap;
import java.util.Set;

/** Dispatches an {@code escaper:} entry on its {@code type}, with g3proxy's aliases. */
public final class EscaperConfigs {
    private static final Set<String> NOT_YET = Set.of("divert_tcp", "comply_audit",
            "trick_float");

    private EscaperConfigs() {}

    public static EscaperConfig parse(YamlMap map, java.nio.file.Path baseDir) {
        String name = map.requireString("name");
        String type = Keys.normalize(map.requireString("type"));
        return switch (type) {
            case "direct_fixed", "directfixed" -> DirectFixedEscaperConfig.parse(name, map, false);
            case "proxy_http", "proxyhttp" ->
                    ProxyChainEscaperConfig.parse(ProxyChainEscaperConfig.Protocol.HTTP, name, map, baseDir);
            case "proxy_https", "proxyhttps" ->
                    ProxyChainEscaperConfig.parse(ProxyChainEscaperConfig.Protocol.HTTPS, name, map, baseDir);
            case "proxy_socks5", "proxysocks5" ->
                    ProxyChainEscaperConfig.parse(ProxyChainEscaperConfig.Protocol.SOCKS5, name, map, baseDir);
            case "proxy_socks5s", "proxysocks5s" ->
                    ProxyChainEscaperConfig.parse(ProxyChainEscaperConfig.Protocol.SOCKS5S, name, map, baseDir);
            case "direct_float", "directfloat", "direct_dynamic", "directdynamic" ->
                    DirectFixedEscaperConfig.parse(name, map, true);
            case "proxy_float", "proxyfloat", "proxy_dynamic", "proxydynamic" -> ProxyFloatEscaperConfig.parse(name, map, baseDir);
            case "route_failover", "routefailover" -> RouteFailoverEscaperConfig.parse(name, map);
            case "route_query", "routequery" -> RouteQueryEscaperConfig.parse(name, map);
            case "route_geoip", "routegeoip", "route_geo_ip" -> RouteGeoIpEscaperConfig.parse(name, map);
            case "route_upstream", "routeupstream" -> RouteUpstreamEscaperConfig.parse(name, map);
            case "route_select", "routeselect" -> RouteSelectEscaperConfig.parse("route_select", name, map);
            case "route_mapping", "routemapping" -> RouteSelectEscaperConfig.parse("route_mapping", name, map);
            case "route_client", "routeclient" -> RouteByNetworkEscaperConfig.parse("route_client", name, map);
            case "route_resolved", "routeresolved", "route_dst_ip", "routedstip" ->
                    RouteByNetworkEscaperConfig.parse("route_resolved", name, map);
            case "dummy_deny", "dummydeny" -> {
                map.finish();
                yield new DummyDenyEscaperConfig(name);
            }
            default -> throw new ConfigException(map.location() + " key 'type': "
                    + (NOT_YET.contains(type) ? "escaper type '" + type + "' is not implemented in this version of g3k"
                    : "unknown escaper type '" + type + "'"));
        };
    }
}
