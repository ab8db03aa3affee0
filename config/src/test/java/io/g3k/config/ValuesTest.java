package io.g3k.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void parsesHumanDurationsSizesAndSpeeds() {
        assertThat(Values.duration(F.textNode("200ms"))).isEqualTo(Duration.ofMillis(200));
        assertThat(Values.duration(F.textNode("5min"))).isEqualTo(Duration.ofMinutes(5));
        assertThat(Values.duration(F.textNode("1h 30m"))).isEqualTo(Duration.ofMinutes(90));
        assertThat(Values.duration(F.numberNode(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(Values.size(F.textNode("512K"))).isEqualTo(512_000);
        assertThat(Values.size(F.textNode("64KiB"))).isEqualTo(65_536);
        assertThat(Values.speedLimit(F.textNode("10M/s"))).isEqualTo(10_000_000);
        assertThatThrownBy(() -> Values.duration(F.textNode("5 fortnights"))).hasMessageContaining("unit");
        assertThatThrownBy(() -> Values.size(F.textNode("-1K"))).hasMessageContaining("invalid size");
    }

    @Test
    void parsesSocketSpeedLimitsAsScalarsOrMaps() {
        assertThat(SocketSpeedLimit.tcp(F.textNode("10M/s"))).isEqualTo(new SocketSpeedLimit(10, 10_000_000, 10_000_000, 0, 0));
        var tcp = SocketSpeedLimit.tcp(F.objectNode().put("shift", 9).put("north", "1K").put("south_bytes", 2048));
        assertThat(tcp).isEqualTo(new SocketSpeedLimit(9, 1000, 2048, 0, 0));
        assertThat(tcp.perSecond(tcp.northBytes())).isEqualTo(1953);
        var udp = SocketSpeedLimit.udp(F.objectNode().put("shift_millis", 8).put("upload_bytes", "2K")
                .put("south_packets", 7));
        assertThat(udp).isEqualTo(new SocketSpeedLimit(8, 2000, 0, 0, 7));
        assertThat(udp.slice()).isEqualTo(Duration.ofMillis(256));
        assertThatThrownBy(() -> SocketSpeedLimit.tcp(F.numberNode(0))).hasMessageContaining("leave the key out");
        assertThatThrownBy(() -> SocketSpeedLimit.udp(F.objectNode().put("shift_millis", 13)))
                .hasMessageContaining("0..12");
        // packet budgets are UDP's only
        assertThatThrownBy(() -> SocketSpeedLimit.tcp(F.objectNode().put("north_packets", 3)))
                .hasMessageContaining("north_packets");
    }

    @Test
    void parsesRatiosTheWaysG3proxyWritesThem() {
        assertThat(Values.ratio(F.numberNode(0.25))).isEqualTo(0.25);
        assertThat(Values.ratio(F.textNode("50%"))).isEqualTo(0.5);
        assertThat(Values.ratio(F.textNode("1/4"))).isEqualTo(0.25);
        assertThat(Values.ratio(F.textNode("0.1"))).isEqualTo(0.1);
        assertThat(Values.ratio(F.booleanNode(false))).isZero();
        assertThat(Values.ratio(F.textNode("true"))).isEqualTo(1);
        for (String bad : List.of("150%", "3/2", "1/0", "half", "-0.5")) {
            assertThatThrownBy(() -> Values.ratio(F.textNode(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void parsesAddressesStrictly() {
        assertThat(UpstreamAddr.parse("[::1]:443", -1)).isEqualTo(new UpstreamAddr("::1", 443));
        assertThat(UpstreamAddr.parse("Example.COM", 80)).isEqualTo(new UpstreamAddr("example.com", 80));
        assertThat(UpstreamAddr.parse("[::ffff:127.0.0.1]:80", -1).host()).isEqualTo("127.0.0.1");
        for (String bad : List.of("", ":80", "a..b:80", "a\0b:80", "x:99999", "host:", "-bad-:80", "x".repeat(300) + ":1")) {
            assertThatThrownBy(() -> UpstreamAddr.parse(bad, -1)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsDottedQuadsAsIpAndEverythingElseAsNames() {
        assertThat(IpLiteral.parse("192.168.0.255")).hasValueSatisfying(ip -> assertThat(ip.getHostAddress())
                .isEqualTo("192.168.0.255"));
        assertThat(IpLiteral.parse("0.0.0.0")).isPresent();
        // leading zeros, out-of-range octets and short forms are not IPs (never octal or shorthand tricks)
        for (String notIp : List.of("010.0.0.1", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", "1234.1.1.1",
                "0x7f.0.0.1", "example.com")) {
            assertThat(IpLiteral.parse(notIp)).as(notIp).isEmpty();
        }
        assertThat(UpstreamAddr.parse("a_b.c-d.example:1", -1).host()).isEqualTo("a_b.c-d.example");
        assertThat(UpstreamAddr.parse("x".repeat(63) + ".io:1", -1).host()).startsWith("xxx");
        for (String bad : List.of("a-.b:1", "-a.b:1", "x".repeat(64) + ".io:1", "a.b..:1", "a b:1", ".a:1", "a.*.b:1")) {
            assertThatThrownBy(() -> UpstreamAddr.parse(bad, -1)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void egressFilterDeniesInternalAddressesByDefaultAndMatchesLongestPrefix() throws Exception {
        NetworkFilter filter = NetworkFilter.egressDefault();
        for (String denied : List.of("127.0.0.1", "169.254.169.254", "0.0.0.0", "::1", "::", "fe80::1",
                "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254")) {
            assertThat(filter.check(InetAddress.getByName(denied)).permits()).as(denied).isFalse();
        }
        assertThat(filter.check(InetAddress.getByName("93.184.216.34")).permits()).isTrue();

        NetworkFilter reopened = NetworkFilter.parseEgress(Values.JSON.readTree("{\"default\": \"allow\", \"allow\": \"127.0.0.1\"}"));
        assertThat(reopened.check(InetAddress.getByName("127.0.0.1")).permits()).isTrue();
        assertThat(reopened.check(InetAddress.getByName("127.0.0.2")).permits()).isFalse();
        assertThat(reopened.check(InetAddress.getByName("8.8.8.8")).permits()).isTrue();

        NetworkFilter allowList = NetworkFilter.parseEgress(Values.JSON.readTree("[\"10.0.0.0/8\"]"));
        assertThat(allowList.check(InetAddress.getByName("10.1.2.3")).permits()).isTrue();
        assertThat(allowList.check(InetAddress.getByName("8.8.8.8")).permits()).isFalse();
        assertThatThrownBy(() -> NetworkFilter.parseEgress(Values.JSON.readTree("{\"maybe\": \"1.1.1.1\"}")))
                .hasMessageContaining("invalid ACL action 'maybe'");
    }
}
