package io.g3k.dataplane.support;

/** YAML fixtures in the g3proxy format. Loopback is re-opened the g3proxy way: a /32 allow beats the /8 deny. */
public final class Configs {
    /** password "toor": the token g3proxy's own CI uses. */
    public static final String USER_GROUP = """
            user_group:
              - name: users
                static_users:
                  - name: root
                    token:
                      salt: 4e8f8a4e37f0fa1b
                      md5: d9d963915b9815d4cc39c196c2868900
                      sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4
            """;

    private Configs() {}

    public static String proxies(boolean allowLoopback, String httpExtra, String socksExtra) {
        return Yaml.resolverAndEscaper(allowLoopback)
                + ((httpExtra + socksExtra).contains("user_group") ? USER_GROUP : "")
                + """
                server:
                  - name: http
                    type: http_proxy
                    escaper: default
                    listen: "127.0.0.1:0"
                %s
                  - name: socks
                    type: socks_proxy
                    escaper: default
                    listen: "127.0.0.1:0"
                    enable_udp_associate: true
                %s
                """.formatted(httpExtra, socksExtra);
    }
}
