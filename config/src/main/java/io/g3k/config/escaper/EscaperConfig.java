package io.g3k.config.escaper;

/** An {@code escaper:} entry: how tasks leave the proxy. */
public sealed interface EscaperConfig permits DirectFixedEscaperConfig, DummyDenyEscaperConfig,
        ProxyChainEscaperConfig, RouteFailoverEscaperConfig, RouteUpstreamEscaperConfig, RouteSelectEscaperConfig,
        RouteByNetworkEscaperConfig, ProxyFloatEscaperConfig, RouteQueryEscaperConfig,
        RouteGeoIpEscaperConfig {
    String name();

    String type();

    /** Static tags on this escaper's metrics ({@code extra_metrics_tags}). */
    default java.util.Map<String, String> extraMetricsTags() {
        return java.util.Map.of();
    }

    /** Escapers this one routes to (route types). */
    default java.util.List<String> nextEscapers() {
        return java.util.List.of();
    }

    /** The next escapers of rule-based routes: each rule's, then the default, without repeats. */
    static java.util.List<String> rulesThenDefault(java.util.stream.Stream<String> ruleNexts, String defaultNext) {
        return java.util.stream.Stream.concat(ruleNexts, java.util.stream.Stream.of(defaultNext)).distinct().toList();
    }
}
