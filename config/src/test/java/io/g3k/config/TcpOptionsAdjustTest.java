package io.g3k.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** How a user's socket options adjust an escaper's or a server's, as g3proxy's adjust_to does. */
class TcpOptionsAdjustTest {
    private static JsonNode yaml(String text) throws Exception {
        return ConfigLoader.YAML.readTree(text);
    }

    @Test
    void keepaliveIsOnIfEitherIsWithTheShorterTimes() throws Exception {
        TcpKeepalive escaper = TcpKeepalive.parse(yaml("{enable: true, idle_time: 60s, probe_interval: 10s}"));
        TcpKeepalive user = TcpKeepalive.parse(yaml("{enable: true, idle_time: 20s, probe_count: 3}"));
        TcpKeepalive adjusted = escaper.adjustTo(user);
        assertThat(adjusted.enabled()).isTrue();
        assertThat(adjusted.idleTime()).isEqualTo(Duration.ofSeconds(20));
        assertThat(adjusted.probeInterval()).contains(Duration.ofSeconds(10));
        assertThat(adjusted.probeCount()).hasValue(3);
        assertThat(TcpKeepalive.DISABLED.adjustTo(user).idleTime()).isEqualTo(Duration.ofSeconds(20));
        assertThat(TcpKeepalive.DISABLED.adjustTo(TcpKeepalive.DISABLED).enabled()).isFalse();
    }

    @Test
    void miscOptsTakeTheSmallerSizesAndTheUsersMarks() throws Exception {
        TcpMiscOpts server = TcpMiscOpts.parse(yaml("{no_delay: false, mss: 1300, ttl: 64, tos: 16, mark: 7}"));
        TcpMiscOpts user = TcpMiscOpts.parse(yaml("{mss: 1400, ttl: 32, mark: 0x33, congestion_control: reno}"));
        TcpMiscOpts adjusted = server.adjustTo(user);
        assertThat(adjusted.noDelay()).contains(false);
        assertThat(adjusted.maxSegmentSize()).hasValue(1300);
        assertThat(adjusted.timeToLive()).hasValue(32);
        assertThat(adjusted.typeOfService()).hasValue(16);
        assertThat(adjusted.netfilterMark()).hasValue(0x33);
        assertThat(adjusted.congestionControl()).contains("reno");
        assertThat(server.adjustTo(TcpMiscOpts.parse(yaml("{no_delay: true}"))).noDelay()).contains(true);
        assertThat(TcpMiscOpts.NONE.adjustTo(TcpMiscOpts.NONE)).isEqualTo(TcpMiscOpts.NONE);
        assertThat(TcpMiscOpts.NONE.adjustTo(user).hopLimit()).isEqualTo(OptionalInt.empty());
    }
}
