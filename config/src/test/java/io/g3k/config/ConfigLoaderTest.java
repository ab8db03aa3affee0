package io.g3k.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.config.audit.IcapConnectionPoolConfig;
import io.g3k.config.audit.ProtocolInspectPolicy.Action;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.config.escaper.ProxyChainEscaperConfig;
import io.g3k.config.escaper.RouteGeoIpEscaperConfig;
import io.g3k.config.resolver.CAresResolverConfig;
import io.g3k.config.server.HttpForwardedHeaderType;
import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.config.server.HttpRProxyServerConfig;
import io.g3k.config.server.SocksProxyServerConfig;
import io.g3k.config.server.CopyBuffers;
import io.g3k.config.server.TaskIdleCheck;
import io.g3k.config.server.TcpStreamServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    /** The config is refused with an error that names each of the parts (where, and why). */
    void assertRefused(String yaml, String... parts) {
        try {
            Path bad = write("refused.yml", yaml);
            var thrown = assertThatThrownBy(() -> ConfigLoader.load(bad)).as(yaml).isInstanceOf(ConfigException.class);
            for (String part : parts) {
                thrown.hasMessageContaining(part);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }

    @Test
    void loadsTheGuideSnippetsUnchanged() throws Exception {
        // HTTP Proxy, SOCKS Proxy and Route Binding sections of the g3proxy user guide, verbatim
        Path main = write("main.yml", """
                server:
                  - name: http       # The name needs to be unique
                    escaper: default # Required, can be any type of exit
                    type: http_proxy
                    listen:
                      address: "[::]:8080"
                    tls_client: {}   # Open layer-7 https forward forwarding support
                  - name: socks        # The name needs to be unique
                    escaper: default   # Required, can be any type of exit
                    type: socks_proxy
                    listen:
                      address: "[::]:10086"
                    enable_udp_associate: true # Use standard UDP Associate feature
                    udp_socket_buffer: 512K    # Configure client-side bidirectional UDP Socket Buffer Size
                escaper:
                  - name: default        # The name needs to be unique
                    type: direct_fixed
                    resolver: default
                    resolve_strategy: IPv4First # Outbound supports HappyEyeballs algorithm
                    bind_ip: 192.168.10.1   # Can use list to set multiple addresses
                resolver:
                  - name: default
                    type: c-ares
                    server: 223.5.5.5
                    bind_ipv4: 192.168.10.1 # Resolution also needs to bind to the same route
                """);
        G3Config config = ConfigLoader.load(main);
        var http = (HttpProxyServerConfig) config.servers().get(0);
        assertThat(http.listen().orElseThrow().address().getPort()).isEqualTo(8080);
        assertThat(http.reqHeaderMaxSize()).isEqualTo(65536);
        assertThat(http.rspHeaderRecvTimeout()).isEqualTo(Duration.ofSeconds(60));
        var socks = (SocksProxyServerConfig) config.servers().get(1);
        assertThat(socks.enableUdpAssociate()).isTrue();
        assertThat(socks.udpSocketBuffer()).isEqualTo(new SocksProxyServerConfig.SocketBuffer(Optional.of(512_000L),
                Optional.of(512_000L)));
        assertThat(socks.negotiationTimeout()).isEqualTo(Duration.ofSeconds(4));
        var direct = (DirectFixedEscaperConfig) config.escapers().getFirst();
        assertThat(direct.bindIps()).containsExactly(InetAddress.getByName("192.168.10.1"));
        var resolver = (CAresResolverConfig) config.resolvers().getFirst();
        assertThat(resolver.servers()).containsExactly(new UpstreamAddr("223.5.5.5", 53));
        assertThat(resolver.bindIpv4()).contains(InetAddress.getByName("192.168.10.1"));
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void keysAndTypesAreCaseInsensitiveWithDashOrUnderscore() throws Exception {
        Path main = write("main.yml", """
                Escaper:
                  - Name: deny
                    Type: Dummy-Deny
                server:
                  - name: http
                    Type: HttpProxy
                    Escaper: deny
                    Listen: 8080
                    Req-Header-Recv-Timeout: 5s
                  - name: socks
                    type: socks-proxy
                    escaper: deny
                    use-udp-associate: yes
                    transmute_udp_echo_ip:
                      "192.168.10.2": "192.168.30.2"
                """);
        G3Config config = ConfigLoader.load(main);
        var http = (HttpProxyServerConfig) config.servers().getFirst();
        assertThat(http.reqHeaderRecvTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(http.listen().orElseThrow().address().getPort()).isEqualTo(8080);
        var socks = (SocksProxyServerConfig) config.servers().get(1);
        assertThat(socks.enableUdpAssociate()).isTrue();
        assertThat(socks.transmuteUdpEchoIp().orElseThrow()).containsEntry(InetAddress.getByName("192.168.10.2"),
                InetAddress.getByName("192.168.30.2"));
    }

    @Test
    void httpRproxyTakesItsPipelineKeys() throws Exception {
        Path main = write("main.yml", """
                escaper:
                  - {name: deny, type: dummy_deny}
                server:
                  - name: rproxy
                    type: http_rproxy
                    escaper: deny
                    pipeline_size: 3
                    pipeline_read_idle_timeout: 2s
                    hosts:
                      - {set_default: true, upstream: "127.0.0.1:8080"}
                """);
        G3Config config = ConfigLoader.load(main);
        var rproxy = (HttpRProxyServerConfig) config.servers().getFirst();
        assertThat(rproxy.pipelineSize()).isEqualTo(3);
        assertThat(rproxy.pipelineReadIdleTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(rproxy.appendForwardedFor()).isEqualTo(HttpForwardedHeaderType.CLASSIC); // g3proxy's default
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void udpBindPortRangeIsARangeStringOrAMap() throws Exception {
        String template = """
                escaper:
                  - {name: deny, type: dummy_deny}
                server:
                  - {name: socks, type: socks_proxy, escaper: deny, udp_bind_port_range: %s}
                """;
        var expected = Map.of("10000-10100", new PortRange(10000, 10100), "{start: 20000, end: 20000}",
                new PortRange(20000, 20000), "{from: 3000, to: 3010}", new PortRange(3000, 3010));
        for (var e : expected.entrySet()) {
            G3Config config = ConfigLoader.load(write("range.yml", template.formatted(e.getKey())));
            assertThat(((SocksProxyServerConfig) config.servers().getFirst()).udpBindPortRange()).contains(e.getValue());
        }
        var refused = Map.of("20000-10000", "start at most end", "0-100", "ports are 1-65535",
                "10000", "expected a port range such as 10000-10100", "a-b", "invalid port or port range 'a-b'",
                "{start: 10000}", "key 'end'");
        refused.forEach((value, message) -> assertRefused(template.formatted(value), "key 'udp_bind_port_range'", message));
    }

    @Test
    void tlsClientTakesG3proxysOpensslKeys() throws Exception {
        String template = """
                escaper:
                  - {name: deny, type: dummy_deny}
                server:
                  - name: http
                    type: http_proxy
                    escaper: deny
                    tls_client: %s
                """;
        var parsed = Map.of(
                "{min_tls_version: 1.2, max_tls_version: tls1_2}", "[TLSv1.2] []",
                "{tls_version_min: \"1.1\", ciphers: \"A:B\"}", "[TLSv1.1, TLSv1.2, TLSv1.3] [A, B]",
                "{protocol: TLS13, ciphers: [X, Y]}", "[TLSv1.3] [X, Y]",
                "{max_tls_version: 1.1}", "[TLSv1.1] []",
                "{}", "[] []");
        for (var e : parsed.entrySet()) {
            TlsClientConfig tls = tlsClient(template.formatted(e.getKey()));
            assertThat(tls.protocols() + " " + tls.ciphers()).as(e.getKey()).isEqualTo(e.getValue());
        }
        TlsClientConfig sessions = tlsClient(template.formatted(
                "{session_cache_lru_max_sites: 4, session_cache_each_cap: 2, supported_groups: \"X25519:P-256\"}"));
        assertThat(sessions.sessionCacheSize()).isEqualTo(8);
        assertThat(sessions.supportedGroups()).containsExactly("X25519", "P-256");
        assertThat(tlsClient(template.formatted("{disable_session_cache: true}")).sessionCacheSize()).isZero();
        assertThat(TlsClientConfig.DEFAULT.sessionCacheSize()).isEqualTo(128 * 16);
        Files.writeString(dir.resolve("c.pem"), "x");
        TlsClientConfig pair = tlsClient(template.formatted("{cert_pair: {cert: c.pem, key: c.pem}}"));
        assertThat(pair.certificate()).containsExactly(PemValue.of(dir.resolve("c.pem")));
        assertThat(pair.privateKey()).contains(PemValue.of(dir.resolve("c.pem")));

        var refused = Map.of(
                "{protocol: ssl3}", "the TLS library has no SSLv3",
                "{protocol: tlcp}", "TLCP is not available",
                "{min_tls_version: 1.4}", "unknown TLS version '1.4'",
                "{min_tls_version: 1.3, max_tls_version: 1.2}", "min_tls_version TLSv1.3 is above max_tls_version TLSv1.2",
                "{ciphers: \"A::B\"}", "without empty entries",
                "{cert_pair: {cert: c.pem, key: c.pem}, certificate: c.pem, private_key: c.pem}", "either 'cert_pair'",
                "{certificate: c.pem}", "'certificate' and 'private_key' must be given together",
                "{no_default_ca_certificate: true}", "'no_default_ca_certificate' needs a 'ca_certificate'",
                "{ca_certificate: \"\"}", "got an empty string");
        refused.forEach((value, message) -> assertRefused(template.formatted(value), "server[0] 'http'",
                "tls_client", message));
    }

    private TlsClientConfig tlsClient(String yaml) throws IOException {
        return ((HttpProxyServerConfig) ConfigLoader.load(write("tls.yml", yaml)).servers().getFirst()).tlsClient();
    }

    @Test
    void listenTakesG3proxysSocketOptions() throws Exception {
        String template = """
                escaper:
                  - {name: deny, type: dummy_deny}
                server:
                  - {name: http, type: http_proxy, escaper: deny, listen: %s}
                """;
        ListenConfig listen = ConfigLoader.load(write("listen.yml", template.formatted(
                "{address: 8080, interface: eth0, mss: 1400, mark: 0x10, keepalive: 60s, instance_count: 2, scale: 50%}")))
                .servers().getFirst().base().listen().orElseThrow();
        assertThat(listen.interfaceName()).contains("eth0");
        assertThat(listen.listenOptions().maxSegmentSize()).hasValue(1400);
        assertThat(listen.listenOptions().netfilterMark()).hasValue(16);
        assertThat(listen.keepalive().idleTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(listen.instances(8)).isEqualTo(4);
        assertThat(listen.instances(2)).isEqualTo(2);
        var refused = Map.of("{interface: a-name-that-is-too-long}", "is not an interface name",
                "{scale: 0}", "is not within (0, 64]", "{scale: \"a/4\"}", "a scale is a number",
                "{mss: 10}", "10");
        refused.forEach((value, message) -> assertRefused(template.formatted(value), "key 'listen'", message));
        G3Config warned = ConfigLoader.load(write("listen.yml", template.formatted("{address: 8080, follow_cpu_affinity: true}")));
        assertThat(warned.warnings()).anyMatch(w -> w.contains("key 'listen'") && w.contains("follow_cpu_affinity"));
    }

    @Test
    void inspectPoliciesMatchTargetsExactlyThenByDomainThenBySubnet() throws Exception {
        String template = """
                auditor:
                  - name: a
                    smtp_inspect_policy: %s
                """;
        var config = ConfigLoader.load(write("policy.yml", template.formatted("""
                {default: bypass, exact_match: {block: [mail.example, 192.0.2.1]},
                                       child_match: {intercept: example}, subnet_match: {block: 10.0.0.0/8}}""")));
        var policy = config.auditors().getFirst().smtpInspectPolicy();
        var expected = Map.of("mail.example:25", Action.BLOCK, "relay.example:25", Action.INTERCEPT,
                "example:25", Action.BYPASS, "other.test:25", Action.BYPASS, "192.0.2.1:25", Action.BLOCK,
                "10.1.2.3:25", Action.BLOCK, "192.0.2.2:25", Action.BYPASS);
        expected.forEach((target, action) -> assertThat(policy.check(UpstreamAddr.parse(target, 25, 0)))
                .as(target).isEqualTo(action));
        assertThat(ConfigLoader.load(write("policy.yml", template.formatted("block"))).auditors().getFirst()
                .smtpInspectPolicy().check(UpstreamAddr.parse("any.test:25", 25, 0))).isEqualTo(Action.BLOCK);
        assertThat(config.auditors().getFirst().h2InspectPolicy().check(UpstreamAddr.parse("x.test:443", 443, 0)))
                .isEqualTo(Action.INTERCEPT);
        G3Config h2 = ConfigLoader.load(write("policy.yml", "auditor: [{name: a, h2_inspect_policy: bypass}]\n"));
        assertThat(h2.warnings()).anyMatch(w -> w.contains("h2_inspect_policy 'bypass' is handled as 'intercept'"));
        var refused = Map.of("detour", "needs a stream_detour_service", "allow", "unknown inspect action 'allow'",
                "{exact_match: [a.test]}", "expected a map of action", "{subnet_match: {block: not-a-net}}", "not-a-net");
        refused.forEach((value, message) -> assertRefused(template.formatted(value), "key 'smtp_inspect_policy'",
                message));
    }

    @Test
    void statTakesBindIpAndMaxSegmentSize() throws Exception {
        StatConfig stat = ConfigLoader.load(write("stat.yml", "stat: {bind_ip: 127.0.0.2, max_segment_size: 1KiB}\n"))
                .stat().orElseThrow();
        assertThat(stat.bindIp()).contains(InetAddress.getByName("127.0.0.2"));
        assertThat(stat.maxSegmentSize()).isEqualTo(1024);
        assertThat(ConfigLoader.load(write("stat.yml", "stat: {}\n")).stat().orElseThrow().maxSegmentSize())
                .isEqualTo(1400);
        assertRefused("stat: {target_unix: /tmp/s.sock, bind_ip: 127.0.0.2}\n", "key 'bind_ip'", "not a Unix socket");
        assertRefused("stat: {max_segment_size: 100}\n", "key 'max_segment_size'", "512..65507");
        assertRefused("stat: {bind_ip: localhost}\n", "key 'bind_ip'");
    }

    @Test
    void extraMetricsTagsAreAMapOfSafeNamesAndValues() throws Exception {
        String template = """
                resolver:
                  - {name: r, type: c-ares}
                escaper:
                  - {name: direct, type: direct_fixed, resolver: r, extra_metrics_tags: {pool: a}}
                server:
                  - {name: http, type: http_proxy, escaper: direct, extra_metrics_tags: %s}
                """;
        G3Config config = ConfigLoader.load(write("tags.yml", template.formatted("{team: platform, cost.center: 42}")));
        assertThat(config.servers().getFirst().base().extraMetricsTags())
                .containsExactly(Map.entry("team", "platform"), Map.entry("cost.center", "42"));
        assertThat(config.escapers().getFirst().extraMetricsTags()).containsExactly(Map.entry("pool", "a"));
        assertThat(config.warnings()).isEmpty();
        var refused = Map.of("{server: other}", "tag 'server' is one g3k sets itself",
                "{team: \"a,b\"}", "letters, digits and _ - . / only", "[team]", "expected a map of tag name to value");
        refused.forEach((value, message) -> assertRefused(template.formatted(value), "key 'extra_metrics_tags'", message));
    }

    @Test
    void tcpKeepaliveAndMiscOptsTakeG3proxysForms() throws Exception {
        String template = """
                resolver:
                  - {name: r, type: c-ares}
                escaper:
                  - {name: direct, type: direct_fixed, resolver: r, tcp_keepalive: %s, tcp_misc_opts: %s}
                """;
        var keepalives = Map.of(
                "true", new TcpKeepalive(true, Duration.ofSeconds(60), Optional.empty(), OptionalInt.empty()),
                "false", TcpKeepalive.DISABLED,
                "30s", new TcpKeepalive(true, Duration.ofSeconds(30), Optional.empty(), OptionalInt.empty()),
                "{idle_time: 10s}", new TcpKeepalive(false, Duration.ofSeconds(10), Optional.empty(), OptionalInt.empty()),
                "{enable: true, probe_interval: 5s, probe_count: 3}",
                new TcpKeepalive(true, Duration.ofSeconds(60), Optional.of(Duration.ofSeconds(5)), OptionalInt.of(3)));
        for (var e : keepalives.entrySet()) {
            var config = (DirectFixedEscaperConfig) ConfigLoader.load(write("ka.yml", template.formatted(e.getKey(),
                    "{mss: 1400, ttl: 64, tos: 0x10, mark: \"0xffffffff\", congestion_control: bbr, no_delay: false}")))
                    .escapers().getFirst();
            assertThat(config.tcpKeepalive()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(config.tcpMiscOpts()).isEqualTo(new TcpMiscOpts(Optional.of(false), OptionalInt.of(1400),
                    OptionalInt.of(64), OptionalInt.empty(), OptionalInt.of(16), OptionalInt.empty(), OptionalInt.of(-1),
                    Optional.of("bbr")));
        }
        var refused = Map.of(
                template.formatted("{enable: true, probe_count: 0}", "{}"), "probe_count must be within 1..127",
                template.formatted("500ms", "{}"), "whole seconds within 1s..32767s",
                template.formatted("true", "{mss: 10}"), "must be within 88..65535, got 10",
                template.formatted("true", "{mark: -1}"), "a mark is a 32-bit number",
                template.formatted("true", "{congestion_control: \"bbr; rm\"}"), "not a congestion control algorithm",
                template.formatted("true", "{window: 1}"), "unknown or unsupported key 'window'");
        refused.forEach((yaml, message) -> assertRefused(yaml, "escaper[0] 'direct'", message));
    }

    @Test
    void aNextProxysBindAddressesKeepToTheirFamily() throws Exception {
        String template = """
                escaper:
                  - {name: chain, type: proxy_http, proxy_addr: "127.0.0.1:3128", %s}
                """;
        var chain = (ProxyChainEscaperConfig) ConfigLoader.load(write("bind.yml",
                template.formatted("bind_ipv4: 127.0.0.2, bind_ipv6: \"::1\""))).escapers().getFirst();
        assertThat(chain.bindIpv4()).contains(InetAddress.getByName("127.0.0.2"));
        assertThat(chain.bindIpv6()).contains(InetAddress.getByName("::1"));
        assertRefused(template.formatted("bind_ipv4: \"::1\""), "key 'bind_ipv4'", "::1 is not an IPv4 address");
        assertRefused(template.formatted("bind_ipv6: 127.0.0.2"), "key 'bind_ipv6'", "127.0.0.2 is not an IPv6 address");
    }

    /** YAML 1.2, as g3proxy: yes / no / on / off are words, so a server named off or the country no stay so. */
    @Test
    void onlyTrueAndFalseAreBooleansAsInG3proxy() throws Exception {
        G3Config config = ConfigLoader.load(write("yaml12.yml", """
                resolver:
                  - {name: r, type: c-ares}
                escaper:
                  - {name: direct, type: direct_fixed, resolver: r, tcp_keepalive: on}
                  - {name: nordic, type: route_geoip, resolver: r, default_next: direct,
                     geo_rules: [{next: direct, countries: [no, se]}]}
                server:
                  - {name: off, type: socks_proxy, escaper: direct, enable_udp_associate: yes}
                  - {name: "no", type: tcp_stream, escaper: direct, proxy_pass: "127.0.0.1:1", tls_client: on}
                """));
        var socks = (SocksProxyServerConfig) config.servers().get(0);
        assertThat(socks.name()).isEqualTo("off");
        assertThat(socks.enableUdpAssociate()).isTrue();
        var stream = (TcpStreamServerConfig) config.servers().get(1);
        assertThat(stream.name()).isEqualTo("no");
        assertThat(stream.upstream().tlsClient()).isPresent();
        assertThat(((DirectFixedEscaperConfig) config.escapers().get(0)).tcpKeepalive().enabled()).isTrue();
        assertThat(((RouteGeoIpEscaperConfig) config.escapers().get(1)).rules().getFirst().countries())
                .containsExactlyInAnyOrder("NO", "SE");
    }

    @Test
    void forwardedHeaderKeysTakeG3proxysSpellings() throws Exception {
        String template = """
                escaper:
                  - {name: deny, type: dummy_deny}
                server:
                  - {name: fwd, type: http_proxy, escaper: deny, steal_forwarded_for: true}
                  - {name: rproxy, type: http_rproxy, escaper: deny, append_forwarded_for: %s,
                     hosts: [{set_default: true, upstream: "127.0.0.1:8080"}]}
                """;
        var expected = Map.of("classic", HttpForwardedHeaderType.CLASSIC, "enable", HttpForwardedHeaderType.CLASSIC,
                "true", HttpForwardedHeaderType.CLASSIC, "standard", HttpForwardedHeaderType.STANDARD,
                "rfc7239", HttpForwardedHeaderType.STANDARD, "none", HttpForwardedHeaderType.DISABLE,
                "disable", HttpForwardedHeaderType.DISABLE, "false", HttpForwardedHeaderType.DISABLE);
        for (var e : expected.entrySet()) {
            G3Config config = ConfigLoader.load(write("fwd-" + e.getKey() + ".yml", template.formatted(e.getKey())));
            assertThat(((HttpProxyServerConfig) config.servers().get(0)).stealForwardedFor()).isTrue();
            assertThat(((HttpRProxyServerConfig) config.servers().get(1)).appendForwardedFor()).as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        assertRefused(template.formatted("x-real-ip"), "server[1] 'rproxy'", "key 'append_forwarded_for'",
                "expected classic, standard, none or a boolean, got x-real-ip");
    }

    @Test
    void loadsModulesSplitIntoFilesAndDirectories() throws Exception {
        write("server.d/http.yml", """
                name: http
                type: http_proxy
                escaper: direct
                listen: "[127.0.0.1]:1234"
                """);
        write("server.d/socks.yml", "name: socks\ntype: socks_proxy\nescaper: direct\n");
        write("server.d/ignored.json", "not: yaml: at all");
        write("escaper.yml", """
                name: direct
                type: direct_fixed
                resolver: default
                ---
                name: deny
                type: dummy_deny
                """);
        Path main = write("main.yml", """
                resolver:
                  - name: default
                    type: c-ares
                escaper: escaper.yml
                server: server.d
                """);
        G3Config config = ConfigLoader.load(dir);
        assertThat(main).exists();
        assertThat(config.servers()).extracting(s -> s.name()).containsExactly("http", "socks");
        assertThat(config.servers().getFirst().listen().orElseThrow().toString()).isEqualTo("127.0.0.1:1234");
        assertThat(config.escapers()).extracting(e -> e.type()).containsExactly("direct_fixed", "dummy_deny");
    }

    @Test
    void errorsNameTheFileTheEntryAndTheKey() throws Exception {
        Path main = write("main.yml", """
                server:
                  - name: http
                    type: http_proxy
                    escaper: default
                    listen: "not-an-address:80"
                """);
        assertThatThrownBy(() -> ConfigLoader.load(main)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(main.toString())
                .hasMessageContaining("server[0] 'http'")
                .hasMessageContaining("key 'listen'")
                .hasMessageContaining("must be an IP address");
    }

    @Test
    void readsTheGuidesProxyChainingSnippetWithItsForwardCapability() throws Exception {
        // Proxy Chaining section of the guide, verbatim (plus the resolver it names)
        G3Config config = ConfigLoader.load(write("chain.yml", """
                resolver:
                  - {name: default, type: c-ares}
                escaper:
                  - name: next_proxy    # The name needs to be unique, not conflicting with other entries, and should be used for logging & monitoring
                    type: proxy_https
                    resolver: default   # Must be set when the proxy address contains a domain name
                    proxy_addr: next-proxy.example.net:8443 # Can also list multiple proxy addresses
                    http_forward_capability:
                      forward_ftp: true   # Directly forward FTP over HTTP requests to the next level proxy for processing, if not, do FTP requests locally
                      forward_https: true # Directly forward https forward requests to the next level proxy for processing, if not, do TLS handshake locally
                    tls_client:
                      ca_certificate: rootCA.pem # Used to verify the CA certificate of the next level proxy, not set by default using the system default installed CA certificate
                    tls_name: example.com # If the proxy address does not contain a domain name, and you need to verify the certificate with DNS Name, you need to set it
                """));
        var chain = (ProxyChainEscaperConfig) config.escapers().getFirst();
        assertThat(chain.httpForwardCapability()).isEqualTo(new ProxyChainEscaperConfig.HttpForwardCapability(true, true));
        Path typo = write("typo.yml", """
                escaper:
                  - {name: p, type: proxy_http, proxy_addr: 127.0.0.1:3128, http_forward_capability: {forward_http: true}}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(typo)).hasMessageContaining("forward_http");
    }

    @Test
    void taskLogsFollowTheLogDriverAndAreOffByDefaultAsInG3proxy() throws Exception {
        assertThat(ConfigLoader.load(write("none.yml", "server: []\n")).taskLog()).isFalse();
        assertThat(ConfigLoader.load(write("stdout.yml", "log: stdout\n")).taskLog()).isTrue();
        assertThat(ConfigLoader.load(write("discard.yml", "log: discard\n")).taskLog()).isFalse();
        assertThat(ConfigLoader.load(write("map.yml", "log: {default: discard, task: stdout}\n")).taskLog()).isTrue();
        G3Config syslog = ConfigLoader.load(write("syslog.yml", "log: syslog\n"));
        assertThat(syslog.taskLog()).isTrue();
        assertThat(syslog.warnings()).anyMatch(w -> w.contains("'syslog' driver is not available"));
    }

    @Test
    void errorsInSplitFilesNameThatFile() throws Exception {
        Path escaper = write("escaper.yml", "name: e\ntype: direct_fixed\nresolver: r\nbind_ip: 300.1.1.1\n");
        Path main = write("main.yml", "escaper: escaper.yml\n");
        assertThatThrownBy(() -> ConfigLoader.load(main)).hasMessageContaining(escaper.toString())
                .hasMessageContaining("'e'").hasMessageContaining("key 'bind_ip'");
    }

    @Test
    void readsAuditorsAndWarnsAboutWhatG3kDoesNotDo() throws Exception {
        G3Config config = ConfigLoader.load(write("audit.yml", """
                auditor:
                  - name: mitm
                    tls_cert_generator: {ca_certificate: ca/ca.pem, ca_private_key: ca/ca.key}
                    task_audit_ratio: 25%
                    icap_reqmod_service: icap://127.0.0.1:1344/reqmod
                  - name: agent
                    tls_cert_agent: {query_peer_addr: 127.0.0.1:2999}
                server:
                  - {name: http, type: http_proxy, escaper: e, auditor: missing}
                """));
        var mitm = config.auditors().getFirst();
        assertThat(mitm.taskAuditRatio()).isEqualTo(0.25);
        assertThat(mitm.tlsCertGenerator().orElseThrow().caPrivateKey()).isEqualTo(PemValue.of(dir.resolve("ca/ca.key")));
        assertThat(config.auditors().get(1).tlsCertGenerator()).isEmpty();
        assertThat(mitm.icapReqmodService().orElseThrow().url()).hasToString("icap://127.0.0.1:1344/reqmod");
        assertThat(mitm.icapRespmodService()).isEmpty();
        assertThat(mitm.icapReqmodService().orElseThrow().connectionPool()).isEqualTo(IcapConnectionPoolConfig.DEFAULT);
        assertThat(config.warnings()).anyMatch(w -> w.contains("'tls_cert_agent'") && w.contains("TLS interception is off"))
                .anyMatch(w -> w.contains("auditor 'missing' is not defined"));
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-ratio.yml",
                "auditor:\n  - {name: a, task_audit_ratio: 2}\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("task_audit_ratio");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-icap.yml",
                "auditor:\n  - {name: a, icap_respmod_service: {url: http://127.0.0.1/x}}\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("icap://");
        var pooled = ConfigLoader.load(write("icap-pool.yml", """
                auditor:
                  - name: a
                    icap_respmod_service:
                      url: icap://127.0.0.1:1344/respmod
                      icap_connection_pool: {max_idle_count: 8, idle_timeout: 30s, min_idle_count: 4}
                """));
        assertThat(pooled.auditors().getFirst().icapRespmodService().orElseThrow().connectionPool())
                .isEqualTo(new IcapConnectionPoolConfig(8, Duration.ofSeconds(30)));
        assertThat(pooled.warnings()).anyMatch(w -> w.contains("icap_connection_pool") && w.contains("'min_idle_count'"));
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-icap-pool.yml",
                "auditor:\n  - {name: a, icap_reqmod_service: {url: icap://h/x, icap_connection_pool: {max_idle_count: -1}}}\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_idle_count")
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> ConfigLoader.load(write("no-key.yml",
                "auditor:\n  - {name: a, tls_cert_generator: {ca_certificate: ca.pem}}\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ca_private_key");
    }

    @Test
    void rejectsUnknownTypesAndKeys() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("a.yml", "server:\n  - {name: x, type: warp_drive, escaper: e}\n")))
                .hasMessageContaining("key 'type': unknown server type 'warp_drive'");
        assertThatThrownBy(() -> ConfigLoader.load(write("b.yml", "server:\n  - {name: x, type: tcp_tproxy, escaper: e}\n")))
                .hasMessageContaining("server type 'tcp_tproxy' is not implemented in this version of g3k");
        assertThatThrownBy(() -> ConfigLoader.load(write("c.yml", "server:\n  - {name: x, type: http_proxy, escaper: e, lisen: 80}\n")))
                .hasMessageContaining("unknown or unsupported key 'lisen'");
        assertThatThrownBy(() -> ConfigLoader.load(write("d.yml", "sever: []\n")))
                .hasMessageContaining("unknown or unsupported key 'sever'");
        assertThatThrownBy(() -> ConfigLoader.load(write("e.yml", "escaper:\n  - {name: x, type: trick_float}\n")))
                .hasMessageContaining("escaper type 'trick_float' is not implemented");
    }

    @Test
    void rejectsBrokenYamlDuplicatesAndMissingFiles() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("a.yml", "server: [\n")))
                .hasMessageContaining("invalid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(write("b.yml", """
                escaper:
                  - {name: x, type: dummy_deny}
                  - {name: x, type: dummy_deny}
                """))).hasMessageContaining("escaper 'x' is defined twice");
        assertThatThrownBy(() -> ConfigLoader.load(write("c.yml", "server: nowhere.d\n")))
                .hasMessageContaining("'nowhere.d' is neither a file nor a directory");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yml")))
                .hasMessageContaining("config file not found");
        assertThatThrownBy(() -> ConfigLoader.load(write("d.yml", """
                server:
                  - {name: a, type: http_proxy, escaper: e, listen: 8080}
                  - {name: b, type: socks_proxy, escaper: e, listen: 8080}
                """))).hasMessageContaining("already used by server 'a'");
    }

    /**
     * Keys of g3proxy's server parsers that g3k refused (a g3proxy config then failed to load): each now does what
     * g3proxy does, or loads with a warning that it has no effect.
     */
    @Test
    void g3proxysServerKeysLoad() throws Exception {
        G3Config config = ConfigLoader.load(write("g3keys.yml", """
                server:
                  - name: hp
                    type: http_proxy
                    escaper: e
                    tls: {certificate: cert.pem, private_key: key.pem}
                    conn_limit: 10M
                    no_early_error_reply: true
                    body_line_max_length: 16384
                    dst_port_filter: [80, 8000-8100]
                    dst_host_filter_set: {exact: [a.example], child: [b.example]}
                    ftp_client: {}
                    untrusted_read_speed_limit: {shift_millis: 10, north: 1000}
                    egress_path_selection_header: X-Path
                    username_params: {keys_for_host: [a]}
                  - name: rp
                    type: http_rproxy
                    escaper: e
                    auth_realm: site
                    body_line_max_length: 100
                    untrusted_read_limit: 1M
                    tls_ticketer: {}
                    hosts: [{set_default: true, upstream: "127.0.0.1:80"}]
                  - name: sp
                    type: socks_proxy
                    escaper: e
                    udp_associate_enabled: true
                    relay_limit: 1M
                    auto_reply_local_ip_map: true
                    udp_bind_ipv4: [127.0.0.1, 127.0.0.2]
                    udp_socket_buffer: {recv: 1M, send: 512K}
                    dst_port_filter: 53
                  - {name: ts, type: tcp_stream, escaper: e, proxy_pass: "127.0.0.1:80", auth_by_client_ip: true}
                  - {name: sni, type: sni_proxy, escaper: e, auth_by_client_ip: true, auth_by_server_name: true}
                """));
        var http = (HttpProxyServerConfig) config.servers().get(0);
        assertThat(http.tlsServer()).isPresent();
        assertThat(http.base().tcpSockSpeedLimit()).isPresent();
        assertThat(http.noEarlyErrorReply()).isTrue();
        assertThat(http.bodyLineMaxLength()).isEqualTo(16384);
        assertThat(http.dstFilters().permits(new UpstreamAddr("a.example", 8050))).isTrue();
        assertThat(http.dstFilters().permits(new UpstreamAddr("x.b.example", 80))).isTrue();
        assertThat(http.dstFilters().permits(new UpstreamAddr("a.example", 22))).isFalse();
        assertThat(http.dstFilters().permits(new UpstreamAddr("c.example", 80))).isFalse();
        var rproxy = (HttpRProxyServerConfig) config.servers().get(1);
        assertThat(rproxy.authRealm()).isEqualTo("site");
        assertThat(rproxy.bodyLineMaxLength()).isEqualTo(100);
        var socks = (SocksProxyServerConfig) config.servers().get(2);
        assertThat(socks.enableUdpAssociate()).isTrue();
        assertThat(socks.base().udpSockSpeedLimit()).isPresent();
        assertThat(socks.transmuteUdpEchoIp()).contains(Map.of());
        assertThat(socks.udpBindIpv4()).containsExactly(InetAddress.getByName("127.0.0.1"),
                InetAddress.getByName("127.0.0.2"));
        assertThat(socks.udpSocketBuffer()).isEqualTo(new SocksProxyServerConfig.SocketBuffer(Optional.of(1_000_000L),
                Optional.of(512_000L)));
        assertThat(socks.dstFilters().permits(new UpstreamAddr("10.0.0.1", 53))).isTrue();
        assertThat(config.warnings()).anyMatch(w -> w.contains("'hp'") && w.contains("'egress_path_selection_header'"));
        assertThat(config.warnings()).anyMatch(w -> w.contains("'rp'") && w.contains("'tls_ticketer'"));
        assertThat(config.warnings()).anyMatch(w -> w.contains("'sni'") && w.contains("'auth_by_server_name'"));
        assertThat(((HttpProxyServerConfig) ConfigLoader.load(write("plain.yml", """
                server:
                  - {name: hp, type: http_proxy, escaper: e}
                """)).servers().getFirst()).bodyLineMaxLength()).isEqualTo(8192);
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-bind.yml", """
                server:
                  - {name: sp, type: socks_proxy, escaper: e, udp_bind_ipv4: ["::1"]}
                """))).hasMessageContaining("udp_bind_ipv4").hasMessageContaining("::1 is not an IPv4 address");
    }

    /** route_upstream in g3proxy's forms: map or list entries with its keys, and suffix_match (its radix match). */
    @Test
    void routeUpstreamTakesG3proxysRuleForms() throws Exception {
        G3Config config = ConfigLoader.load(write("route.yml", """
                escaper:
                  - name: r
                    type: route_upstream
                    exact_match: {a: [exact.test]}
                    child_match: [{escaper: b, domain: child.test}]
                    suffix_match: [{next: c, suffixes: [example.net]}]
                    regex_match: [{next: d, rules: ["^re-"]}]
                    subnet_match: [{next: e, networks: [10.0.0.0/8]}]
                    default_next: z
                  - {name: e1, type: proxy_http, proxy_addr: "127.0.0.1:3128", proxy_user: u, proxy_passwd: p,
                     conn_limit: 1M, use_proxy_protocol: v2, happy_eyeballs: {}, no_ipv6: true}
                  - {name: e2, type: proxy_socks5, proxy_addr: "127.0.0.1:1080", end_on_control_closed: true,
                     transmute_udp_peer_ip: true}
                """));
        var route = (io.g3k.config.escaper.RouteUpstreamEscaperConfig) config.escapers().getFirst();
        assertThat(route.route(new UpstreamAddr("exact.test", 80))).isEqualTo("a");
        assertThat(route.route(new UpstreamAddr("x.child.test", 80))).isEqualTo("b");
        assertThat(route.route(new UpstreamAddr("child.test", 80))).isEqualTo("z");
        assertThat(route.route(new UpstreamAddr("abcexample.net", 80))).isEqualTo("c");
        assertThat(route.route(new UpstreamAddr("example.net", 80))).isEqualTo("c");
        assertThat(route.route(new UpstreamAddr("re-x.test", 80))).isEqualTo("d");
        assertThat(route.route(new UpstreamAddr("10.1.2.3", 80))).isEqualTo("e");
        var chain = (ProxyChainEscaperConfig) config.escapers().get(1);
        assertThat(chain.username()).contains("u");
        assertThat(chain.tcpSockSpeedLimit()).isPresent();
        assertThat(chain.useProxyProtocol()).contains(ProxyProtocol.V2);
        assertThat(config.warnings()).anyMatch(w -> w.contains("'e1'") && w.contains("'happy_eyeballs'"))
                .noneMatch(w -> w.contains("'use_proxy_protocol'"));
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-pp.yml", """
                escaper:
                  - {name: d, type: direct_fixed, resolver: r, use_proxy_protocol: 3}
                """))).hasMessageContaining("use_proxy_protocol").hasMessageContaining("invalid PROXY protocol version '3'");
        assertThat(config.warnings()).anyMatch(w -> w.contains("'e2'") && w.contains("'end_on_control_closed'"));
    }

    /** A user's g3proxy keys g3k once refused: the ACL ones (user agents too) are enforced, the rest load with a warning. */
    @Test
    void g3proxysUserKeysLoad() throws Exception {
        G3Config config = ConfigLoader.load(write("user-keys.yml", """
                user_group:
                  - name: g
                    static_users:
                      - name: u
                        block_and_delay: 1s
                        ingress_network_filter: {forbid: [10.0.0.0/8]}
                        proxy_request_filter: {default: allow, forbid: [socks_udp_associate, HttpsForward]}
                        http_user_agent_filter: [curl]
                        tcp_all_upload_speed_limit: {replenish_bytes: 1000}
                        tcp_all_download_speed_limit: 10M/s
                        udp_all_upload_speed_limit: {replenish_interval: 100ms, replenish_packets: 10, max_burst_packets: 50}
                        tcp_connect: {max_retry: 1}
                        socks_use_udp_associate: true
                        audit: {enable_protocol_inspection: true, application_audit_ratio: 0.25, prohibit_unknown_protocol: true}
                        egress_path_id_map: {}
                """));
        var user = config.userGroups().getFirst().staticUsers().getFirst();
        assertThat(user.blockAndDelay()).contains(Duration.ofSeconds(1));
        assertThat(user.ingressNetworkFilter().orElseThrow().check(InetAddress.getByName("10.1.1.1")).permits()).isFalse();
        var requests = user.proxyRequestFilter().orElseThrow();
        assertThat(requests.check("socks_udp_associate").permits()).isFalse();
        assertThat(requests.check("https_forward").permits()).isFalse();
        assertThat(requests.check("http_connect").permits()).isTrue();
        assertThat(user.httpUserAgentFilter().orElseThrow().check(java.util.List.of("curl/8.5.0")).permits()).isFalse();
        var speed = user.globalSpeedLimits();
        assertThat(speed.tcpUpload()).contains(new GlobalSpeedLimit(Duration.ofSeconds(1), 1000, 1000, 0, 0));
        assertThat(speed.tcpDownload().orElseThrow().bytesPerSecond()).isEqualTo(10_000_000);
        assertThat(speed.udpUpload()).contains(new GlobalSpeedLimit(Duration.ofMillis(100), 0, 0, 10, 50));
        assertThat(speed.udpDownload()).isEmpty();
        assertThat(user.audit()).isEqualTo(new io.g3k.config.auth.UserAudit(true, java.util.Optional.of(0.25)));
        assertThat(config.warnings()).noneMatch(w -> w.contains("'http_user_agent_filter'"))
                .noneMatch(w -> w.contains("speed_limit")).anyMatch(w -> w.contains("'prohibit_unknown_protocol'"))
                .anyMatch(w -> w.contains("'tcp_connect'"));
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-speed.yml", """
                user_group:
                  - {name: g, static_users: [{name: u, tcp_all_upload_speed_limit: {max_burst_bytes: 1M}}]}
                """))).hasMessageContaining("tcp_all_upload_speed_limit").hasMessageContaining("replenish_bytes must be set");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-speed-key.yml", """
                user_group:
                  - {name: g, static_users: [{name: u, tcp_all_download_speed_limit: {replenish_bytes: 1M, replenish_packets: 5}}]}
                """))).hasMessageContaining("tcp_all_download_speed_limit").hasMessageContaining("replenish_packets");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-ua.yml", """
                user_group:
                  - {name: g, static_users: [{name: u, http_user_agent_filter: {block: curl}}]}
                """))).hasMessageContaining("http_user_agent_filter").hasMessageContaining("invalid ACL action 'block'");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-kind.yml", """
                user_group:
                  - {name: g, static_users: [{name: u, proxy_request_filter: [HttpTunnel]}]}
                """))).hasMessageContaining("proxy_request_filter").hasMessageContaining("unknown request kind 'HttpTunnel'");
    }

    /** hickory's request_timeout is its own key in g3proxy (the whole query), not each_timeout's alias. */
    @Test
    void hickoryTakesEachTimeoutAndRequestTimeoutTogether() throws Exception {
        G3Config config = ConfigLoader.load(write("hickory.yml", """
                resolver:
                  - {name: h, type: hickory, server: 127.0.0.1, each_timeout: 3s, request_timeout: 10s}
                """));
        var hickory = (io.g3k.config.resolver.HickoryResolverConfig) config.resolvers().getFirst();
        assertThat(hickory.eachTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.warnings()).anyMatch(w -> w.contains("'request_timeout'"));
    }

    @Test
    void relayBuffersTakeG3proxysKeysWithinItsBounds() throws Exception {
        G3Config config = ConfigLoader.load(write("copy.yml", """
                server:
                  - {name: a, type: socks_proxy, escaper: e}
                  - {name: b, type: tcp_stream, escaper: e, proxy_pass: "127.0.0.1:80", tcp_copy_buffer_size: 64KiB,
                     tcp_copy_yield_size: 1M, udp_relay_packet_size: 8K}
                  - {name: c, type: socks_proxy, escaper: e, tcp_copy_buffer_size: 1000, tcp_copy_yield_size: 1,
                     udp_relay_packet_size: 100000}
                """));
        assertThat(config.servers()).extracting(s -> s.base().copyBuffers()).containsExactly(
                CopyBuffers.DEFAULTS,
                new CopyBuffers(Optional.of(65536), Optional.of(1_000_000), 8000),
                new CopyBuffers(Optional.of(4096), Optional.of(262144), 65536));
        assertThat(config.warnings()).anyMatch(w -> w.contains("server[2] 'c'")
                && w.contains("tcp_copy_buffer_size 1000 is outside 4096..1073741824, using 4096"));
        assertThat(config.warnings()).anyMatch(w -> w.contains("udp_relay_packet_size 100000 is outside 512..65536, using 65536"));
        assertThat(config.warnings()).noneMatch(w -> w.contains("server[1]"));
        assertThatThrownBy(() -> ConfigLoader.load(write("bad-copy.yml", """
                server:
                  - {name: a, type: socks_proxy, escaper: e, udp_relay_packet_size: lots}
                """))).hasMessageContaining("udp_relay_packet_size").hasMessageContaining("invalid size 'lots'");
    }

    @Test
    void taskIdleCheckHasG3proxysDefaultsItsOldNameAndItsBounds() throws Exception {
        G3Config config = ConfigLoader.load(write("main.yml", """
                server:
                  - {name: a, type: http_proxy, escaper: e}
                  - {name: b, type: http_proxy, escaper: e, task_idle_check_duration: 10s, task_idle_max_count: 2}
                  - {name: c, type: http_proxy, escaper: e, task_idle_check_interval: 1s}
                """));
        assertThat(config.servers()).extracting(s -> s.base().taskIdleCheck()).containsExactly(
                new TaskIdleCheck(Duration.ofSeconds(60), 5), new TaskIdleCheck(Duration.ofSeconds(10), 2),
                new TaskIdleCheck(Duration.ofSeconds(2), 5));
        assertThat(config.warnings()).anyMatch(w -> w.contains("server[2] 'c'")
                && w.contains("task_idle_check_interval 1s is outside 2s..1800s, using 2s"));
        G3Config users = ConfigLoader.load(write("users.yml", """
                user_group:
                  - name: g
                    static_users:
                      - {name: u, task_idle_max_count: 1}
                      - {name: v}
                """));
        assertThat(users.userGroups().getFirst().staticUsers()).extracting(u -> u.taskIdleMaxCount())
                .containsExactly(java.util.OptionalInt.of(1), java.util.OptionalInt.empty());
        assertThat(users.warnings()).noneMatch(w -> w.contains("task_idle_max_count"));
        assertThatThrownBy(() -> ConfigLoader.load(write("zero.yml", """
                server:
                  - {name: a, type: http_proxy, escaper: e, task_idle_max_count: 0}
                """))).hasMessageContaining("task_idle_max_count").hasMessageContaining("must be greater than 0, got 0");
    }

    @Test
    void danglingReferencesOnlyWarn() throws Exception {
        G3Config config = ConfigLoader.load(write("main.yml", """
                escaper:
                  - {name: direct, type: direct_fixed, resolver: missing}
                server:
                  - {name: http, type: http_proxy, escaper: nowhere, user_group: nobody}
                """));
        assertThat(config.warnings()).anyMatch(w -> w.contains("escaper 'nowhere' is not defined; every task will be denied"))
                .anyMatch(w -> w.contains("user_group 'nobody' is not defined"))
                .anyMatch(w -> w.contains("resolver 'missing' is not defined"));
    }

    @Test
    void readsUserTokens() throws Exception {
        G3Config config = ConfigLoader.load(write("main.yml", """
                user_group:
                  - name: default
                    static_users:
                      - name: root
                        token:
                          salt: 113323bdab6fd2cc
                          md5: 5c81f2becadde7fa5fde9026652ccc84
                          sha1: ff9d5c1a14328dd85ee95d4e574bd0558a1dfa96
                      - name: open
                        token: null
                      - name: locked
                """));
        var users = config.userGroups().getFirst().staticUsers();
        assertThat(users).extracting(u -> u.token().getClass().getSimpleName())
                .containsExactly("FastHash", "SkipVerify", "Forbidden");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad.yml", """
                user_group:
                  - name: g
                    static_users:
                      - name: u
                        token: {salt: "1133", md5: 5c81f2becadde7fa5fde9026652ccc84}
                """))).hasMessageContaining("static_users[0]").hasMessageContaining("key 'token'")
                .hasMessageContaining("8 bytes");
    }
}
