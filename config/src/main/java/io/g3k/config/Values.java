package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for g3proxy's humanised scalar values. Each throws IllegalArgumentException with a readable message. */
public final class Values {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zµ]*)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");

    private Values() {}

    public static JsonNode emptyMap() {
        return JSON.createObjectNode();
    }

    public static String string(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            throw new IllegalArgumentException("expected a string, got " + YamlMap.describe(node));
        }
        return node.asText();
    }

    /** A ratio in [0, 1]: a number, a percentage ({@code 50%}), a fraction ({@code 1/2}) or a boolean. */
    public static double ratio(JsonNode node) {
        double value;
        if (boolWord(node).isPresent()) {
            value = boolWord(node).get() ? 1 : 0;
        } else if (node.isNumber()) {
            value = node.doubleValue();
        } else {
            String text = string(node).trim();
            try {
                value = text.matches("[0-9.%/ ]+") ? proportion(text) : (bool(node) ? 1 : 0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid ratio '" + text + "'");
            }
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("ratio " + node.asText() + " is not between 0 and 1");
        }
        return value;
    }

    /** A number, a percentage ({@code 50%}) or a fraction ({@code 3/4}); NumberFormatException if it is none. */
    public static double proportion(String text) {
        String t = text.trim();
        if (t.endsWith("%")) {
            return Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
        }
        if (t.contains("/")) {
            String[] parts = t.split("/", 2);
            return Double.parseDouble(parts[0].trim()) / Double.parseDouble(parts[1].trim());
        }
        return Double.parseDouble(t);
    }

    public static boolean bool(JsonNode node) {
        Optional<Boolean> word = boolWord(node);
        if (word.isPresent()) {
            return word.get();
        }
        if (node.isTextual()) {
            switch (node.asText()) {
                case "1" -> { return true; }
                case "0" -> { return false; }
                default -> { }
            }
        }
        if (node.isInt()) {
            return node.intValue() != 0;
        }
        throw new IllegalArgumentException("expected a boolean, got " + YamlMap.describe(node));
    }

    /**
     * A boolean, or a word for one ({@code yes}, {@code no}, {@code on}, {@code off}): how a key that takes a boolean
     * or something else (a duration, a map) tells the boolean apart, now that YAML 1.2 leaves those words strings.
     */
    public static Optional<Boolean> boolWord(JsonNode node) {
        if (node.isBoolean()) {
            return Optional.of(node.booleanValue());
        }
        if (node.isTextual()) {
            switch (node.asText().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> { return Optional.of(true); }
                case "false", "no", "off" -> { return Optional.of(false); }
                default -> { }
            }
        }
        return Optional.empty();
    }

    public static int integer(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isTextual()) {
            try {
                return Integer.parseInt(node.asText().trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("expected an integer, got " + YamlMap.describe(node));
    }

    public static int positiveInt(JsonNode node) {
        int value = integer(node);
        if (value <= 0) {
            throw new IllegalArgumentException("must be greater than 0, got " + value);
        }
        return value;
    }

    public static int port(JsonNode node) {
        int value = integer(node);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("port must be within 1..65535, got " + value);
        }
        return value;
    }

    /** A duration: a number of seconds, or humantime text such as {@code 200ms}, {@code 30s}, {@code 1h30m}. */
    public static Duration duration(JsonNode node) {
        if (node.isNumber()) {
            return Duration.ofNanos(Math.round(node.doubleValue() * 1_000_000_000L));
        }
        String text = string(node).trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int pos = 0;
        while (pos < text.length()) {
            if (text.charAt(pos) == ' ') {
                pos++;
                continue;
            }
            if (!m.find(pos) || m.start() != pos || m.end() == pos) {
                throw new IllegalArgumentException("invalid duration '" + node.asText() + "'");
            }
            double amount = Double.parseDouble(m.group(1));
            double nanos = switch (m.group(2)) {
                case "ns", "nsec" -> 1;
                case "us", "µs", "usec" -> 1e3;
                case "ms", "msec" -> 1e6;
                case "", "s", "sec", "secs", "second", "seconds" -> 1e9;
                case "m", "min", "mins", "minute", "minutes" -> 60e9;
                case "h", "hr", "hrs", "hour", "hours" -> 3600e9;
                case "d", "day", "days" -> 86400e9;
                default -> throw new IllegalArgumentException(
                        "invalid duration unit '" + m.group(2) + "' in '" + node.asText() + "'");
            };
            total = total.plusNanos(Math.round(amount * nanos));
            pos = m.end();
        }
        if (pos == 0) {
            throw new IllegalArgumentException("invalid duration '" + node.asText() + "'");
        }
        return total;
    }

    /** A byte size: an integer, or text such as {@code 512K} (decimal) or {@code 64KiB} (binary). */
    public static long size(JsonNode node) {
        if (node.isIntegralNumber()) {
            long value = node.longValue();
            if (value < 0) {
                throw new IllegalArgumentException("size must not be negative, got " + value);
            }
            return value;
        }
        String text = string(node).trim();
        Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2)) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1000L;
            case "kib" -> 1L << 10;
            case "m", "mb" -> 1000_000L;
            case "mib" -> 1L << 20;
            case "g", "gb" -> 1000_000_000L;
            case "gib" -> 1L << 30;
            default -> throw new IllegalArgumentException("invalid size unit '" + m.group(2) + "' in '" + text + "'");
        };
        return Math.round(amount * unit);
    }

    /** A per-socket speed limit such as {@code 10M/s} or {@code 10M}: bytes per second. */
    public static long speedLimit(JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText().trim();
            if (text.toLowerCase(Locale.ROOT).endsWith("/s")) {
                text = text.substring(0, text.length() - 2);
            }
            return size(JSON.getNodeFactory().textNode(text));
        }
        return size(node);
    }

    /** One node or a sequence of them, as a list: g3proxy accepts a single entry wherever it takes a list. */
    public static List<JsonNode> items(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else {
            items.add(node);
        }
        return items;
    }

    /** One value or a list; a string may also hold several values separated by spaces or commas. */
    public static List<String> stringList(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> out.add(string(item)));
        } else {
            for (String part : string(node).split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("expected at least one value");
        }
        return out;
    }
}
