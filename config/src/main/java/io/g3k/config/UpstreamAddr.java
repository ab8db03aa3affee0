package io.g3k.config;

import java.net.IDN;
import java.net.InetAddress;
import java.util.Optional;

/**
 * A target given as host and port: an IP literal or a domain name. Parsing is strict, because these come from
 * clients as well as from config: an empty, over-long or control-character host is rejected here.
 */
public record UpstreamAddr(String host, int port) {

    public UpstreamAddr {
        host = checkHost(host);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public Optional<InetAddress> ip() {
        return IpLiteral.parse(host);
    }

    /** Parses {@code host:port}, {@code [v6]:port}, or a bare host when a default port is given (&gt; 0). */
    public static UpstreamAddr parse(String text, int defaultPort) {
        return parse(text, defaultPort, 1);
    }

    /** As {@link #parse(String, int)}; listen addresses may use port 0 (any free port). */
    static UpstreamAddr parse(String text, int defaultPort, int minPort) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("invalid address '" + text + "': missing ']'");
            }
            host = s.substring(1, end);
            String rest = s.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("invalid address '" + text + "'");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                host = s; // a bare IPv6 literal without a port
            } else if (colon >= 0) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                host = s;
            }
        }
        int portNumber;
        if (port == null) {
            if (defaultPort <= 0) {
                throw new IllegalArgumentException("address '" + text + "' has no port");
            }
            portNumber = defaultPort;
        } else {
            if (!digits(port, 5)) {
                throw new IllegalArgumentException("invalid port in '" + text + "'");
            }
            portNumber = Integer.parseInt(port);
            if (portNumber < minPort || portNumber > 65535) {
                throw new IllegalArgumentException("port out of range in '" + text + "'");
            }
        }
        return new UpstreamAddr(host, portNumber);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** 1 to {@code max} ASCII digits (a hot path: no regex). */
    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String checkHost(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        Optional<InetAddress> ip = IpLiteral.parse(host);
        if (ip.isPresent()) {
            return ip.get().getHostAddress();
        }
        if (host.length() > 253) {
            throw new IllegalArgumentException("host name longer than 253 characters");
        }
        String ascii;
        try {
            // parsed for every request: plain ASCII names (the usual case) skip the IDN conversion
            ascii = host.chars().allMatch(c -> c < 0x80) ? host : IDN.toASCII(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid host name '" + printable(host) + "'");
        }
        String name = ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("invalid host name '" + printable(host) + "'");
        }
        if (!validLabels(name)) {
            throw new IllegalArgumentException("invalid host name '" + printable(host) + "'");
        }
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Dot-separated labels of 1 to 63 letters, digits, '_' and '-', not starting or ending with '-'. Checked per
     * request, so by hand rather than with a regular expression.
     */
    private static boolean validLabels(String name) {
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i < name.length() && name.charAt(i) != '.') {
                char c = name.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                    return false;
                }
                continue;
            }
            int length = i - start;
            if (length < 1 || length > 63 || name.charAt(start) == '-' || name.charAt(i - 1) == '-') {
                return false;
            }
            start = i + 1;
        }
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
