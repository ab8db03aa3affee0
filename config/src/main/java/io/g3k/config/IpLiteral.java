package io.g3k.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP literals parsed without ever touching DNS; IPv4-mapped IPv6 forms become plain IPv4. */
public final class IpLiteral {
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral() {}

    public static Optional<InetAddress> parse(String text) {
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] v4 = ipv4(s);
        if (v4 != null) {
            try {
                return Optional.of(InetAddress.getByAddress(v4));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!(s.contains(":") && IPV6_CHARS.matcher(s).matches())) {
            return Optional.empty();
        }
        try {
            return Optional.of(canonical(InetAddress.getByName(s)));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Dotted-quad IPv4 (decimal octets 0-255, no leading zeros, so "010.0.0.1" is not read as octal): parsed by
     * hand because every forwarded request's host goes through here; null for anything else.
     */
    private static byte[] ipv4(String s) {
        byte[] octets = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != '.') {
                char c = s.charAt(i);
                if (c < '0' || c > '9' || i - start >= 3) {
                    return null;
                }
                continue;
            }
            int length = i - start;
            if (part == 4 || length == 0 || length > 1 && s.charAt(start) == '0') {
                return null;
            }
            int value = Integer.parseInt(s, start, i, 10);
            if (value > 255) {
                return null;
            }
            octets[part++] = (byte) value;
            start = i + 1;
        }
        return part == 4 ? octets : null;
    }

    public static InetAddress require(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("invalid IP address '" + text + "'"));
    }

    /** An IP literal of one family ({@code bind_ipv4} / {@code bind_ipv6} keys), else a clear error. */
    public static InetAddress require(String text, Class<? extends InetAddress> family) {
        InetAddress ip = require(text);
        if (!family.isInstance(ip)) {
            throw new IllegalArgumentException(text + " is not an "
                    + (family == Inet4Address.class ? "IPv4" : "IPv6") + " address");
        }
        return ip;
    }

    /** Maps ::ffff:a.b.c.d to a.b.c.d so that filters written for IPv4 also catch the mapped form. */
    public static InetAddress canonical(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}
