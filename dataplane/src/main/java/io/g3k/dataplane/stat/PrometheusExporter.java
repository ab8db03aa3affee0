package io.g3k.dataplane.stat;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The same catalogue as Prometheus metrics: {@code server.task.total} becomes {@code g3proxy_server_task_total}
 * with labels {@code server} and {@code daemon_group}; values are read from the live counters at scrape time.
 * Counters get Prometheus' {@code _total} suffix ({@code g3proxy_server_task_total} stays as it is).
 */
public final class PrometheusExporter {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public PrometheusExporter(Stats stats, String prefix) {
        for (Stats.Family<?> family : stats.families()) {
            register(family, prefix, stats.group());
        }
    }

    private <S> void register(Stats.Family<S> family, String prefix, String group) {
        for (Stats.Metric<S> metric : family.metrics()) {
            // an explicit site is a label here, not part of the name as in StatsD
            String name = (prefix + "." + metric.name().replace(Stats.SITE + ".", "")).replaceAll("[^A-Za-z0-9_]", "_");
            String help = "g3proxy metric " + metric.name();
            String[] labels = java.util.stream.Stream.concat(family.tags().stream(), java.util.stream.Stream.of("daemon_group"))
                    .toArray(String[]::new);
            if (metric.kind() == Stats.Kind.COUNTER) {
                registry.register(CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                        .callback(cb -> family.objects().forEach((n, s) ->
                                cb.call(metric.value().applyAsLong(s), values(n, group)))).build());
            } else {
                registry.register(GaugeWithCallback.builder().name(name).help(help).labelNames(labels)
                        .callback(cb -> family.objects().forEach((n, s) ->
                                cb.call(metric.value().applyAsLong(s), values(n, group)))).build());
            }
        }
    }

    private static String[] values(java.util.List<String> names, String group) {
        String[] out = names.toArray(new String[names.size() + 1]);
        out[names.size()] = group;
        return out;
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toByteArray();
    }
}
