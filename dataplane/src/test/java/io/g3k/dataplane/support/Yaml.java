package io.g3k.dataplane.support;

/** The resolver and escaper every server fixture shares; loopback re-opened the g3proxy way. */
public final class Yaml {
    public static final String RESOLVER_AND_ESCAPER = resolverAndEscaper(true);

    private Yaml() {}

    /** The resolver and the direct escaper; with {@code allowLoopback}, 127.0.0.1 is re-opened (a /32 beats the /8). */
    public static String resolverAndEscaper(boolean allowLoopback) {
        return """
                resolver:
                  - name: default
                    type: c-ares
                    server: 127.0.0.1:9
                    each_timeout: 500
                    each_tries: 1
                escaper:
                  - name: default
                    type: direct_fixed
                    resolver: default
                """ + (allowLoopback ? "    egress_network_filter: {default: allow, allow: 127.0.0.1}\n" : "");
    }

    /** A full config: the shared resolver and escaper plus the given {@code server:} section. */
    public static String withServers(String servers) {
        return RESOLVER_AND_ESCAPER + "server:\n" + servers;
    }
}
