package io.g3k.dataplane.stat;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The same catalogue as Prometheus metrics: {@code server.task.total} becomes {@code g3proxy_server_task_total}
 * with labels {@code server} and {@code daemon_group}; values are read from the live counters at scrape time.
 * Counters get Prometheus' {@code _total} suffix ({@code g3proxy_server_task_total} stays as it is).
 *
 * <p>{@code extra_metrics_tags} are labels too. A metric's label names are fixed when it is registered, so the
 * metrics are registered anew whenever a reload changed which extra tag names exist; a series whose server or
 * escaper lacks one of them has it empty, which Prometheus reads as absent.
 */
public final class PrometheusExporter {
    private final Stats stats;
    private final String prefix;
    private List<List<String>> extraNames = List.of();
    private PrometheusRegistry registry;

    public PrometheusExporter(Stats stats, String prefix) {
        this.stats = stats;
        this.prefix = prefix;
        refresh();
    }

    private void refresh() {
        List<List<String>> names = stats.families().stream().map(this::extraLabels).toList();
        if (registry != null && names.equals(extraNames)) {
            return;
        }
        PrometheusRegistry fresh = new PrometheusRegistry();
        for (int i = 0; i < names.size(); i++) {
            register(fresh, stats.families().get(i), names.get(i));
        }
        extraNames = names;
        registry = fresh;
    }

    /** A family's extra labels: its objects' extra tag names as label names, none twice nor one of its own. */
    private List<String> extraLabels(Stats.Family<?> family) {
        return stats.extraTagNames(family).stream().map(PrometheusExporter::labelName).distinct()
                .filter(name -> !family.tags().contains(name) && !name.equals("daemon_group")).toList();
    }

    private <S> void register(PrometheusRegistry into, Stats.Family<S> family, List<String> extra) {
        String[] labels = Stream.of(family.tags(), extra, List.of("daemon_group")).flatMap(List::stream)
                .toArray(String[]::new);
        for (Stats.Metric<S> metric : family.metrics()) {
            // an explicit site is a label here, not part of the name as in StatsD
            String name = (prefix + "." + metric.name().replace(Stats.SITE + ".", "")).replaceAll("[^A-Za-z0-9_]", "_");
            String help = "g3proxy metric " + metric.name();
            if (metric.kind() == Stats.Kind.COUNTER) {
                into.register(CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                        .callback(cb -> family.objects().forEach((n, s) ->
                                cb.call(metric.value().applyAsLong(s), values(family, n, extra)))).build());
            } else {
                into.register(GaugeWithCallback.builder().name(name).help(help).labelNames(labels)
                        .callback(cb -> family.objects().forEach((n, s) ->
                                cb.call(metric.value().applyAsLong(s), values(family, n, extra)))).build());
            }
        }
    }

    private String[] values(Stats.Family<?> family, List<String> key, List<String> extra) {
        Map<String, String> tags = new HashMap<>();
        stats.extraTags(family, key).forEach((k, v) -> tags.putIfAbsent(labelName(k), v));
        List<String> out = new ArrayList<>(key);
        extra.forEach(name -> out.add(tags.getOrDefault(name, "")));
        out.add(stats.group());
        return out.toArray(String[]::new);
    }

    /** A tag name as a label name: {@code .}, {@code -} and {@code /} become {@code _}, a leading digit gets one. */
    static String labelName(String tag) {
        String name = tag.replaceAll("[^A-Za-z0-9_]", "_");
        return Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public synchronized byte[] scrape() throws IOException {
        refresh();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toByteArray();
    }
}
