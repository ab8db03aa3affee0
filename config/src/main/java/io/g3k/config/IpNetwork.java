package io.g3k.config;

import java.net.InetAddress;
import java.util.Arrays;

/** A CIDR network such as {@code 127.0.0.0/8}; a bare address is a host network (/32 or /128). */
public record IpNetwork(InetAddress address, int prefix) {
    public IpNetwork {
        int max = address.getAddress().length * 8;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range for " + address.getHostAddress());
        }
        address = mask(address, prefix);
    }

    public static IpNetwork parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        InetAddress ip = IpLiteral.require(slash < 0 ? s : s.substring(0, slash));
        int max = ip.getAddress().length * 8;
        if (slash < 0) {
            return new IpNetwork(ip, max);
        }
        String p = s.substring(slash + 1);
        if (!p.matches("\\d{1,3}")) {
            throw new IllegalArgumentException("invalid network '" + text + "'");
        }
        int prefix = Integer.parseInt(p);
        // a mapped IPv6 network (::ffff:0:0/104) was turned into IPv4 by IpLiteral: shift its prefix too
        if (ip.getAddress().length == 4 && s.contains(":")) {
            prefix -= 96;
        }
        return new IpNetwork(ip, prefix);
    }

    public boolean contains(InetAddress candidate) {
        InetAddress ip = IpLiteral.canonical(candidate);
        if (ip.getAddress().length != address.getAddress().length) {
            return false;
        }
        return mask(ip, prefix).equals(address);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }

    private static InetAddress mask(InetAddress ip, int prefix) {
        byte[] bytes = ip.getAddress();
        byte[] out = Arrays.copyOf(bytes, bytes.length);
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        try {
            return InetAddress.getByAddress(out);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
