package io.g3k.config.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.g3k.config.AclAction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** http_user_agent_filter in g3proxy's forms, matched as g3proxy matches product tokens. */
class UserAgentFilterTest {
    static UserAgentFilter filter(String yaml) throws Exception {
        JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return UserAgentFilter.parse(node);
    }

    @Test
    void aListForbidsTheClientsItNamesAndPermitsTheRest() throws Exception {
        var f = filter("[curl, go]");
        assertThat(f.check(List.of("curl/7.74.0"))).isEqualTo(AclAction.FORBID);
        assertThat(f.check(List.of("CURL/8.5.0"))).isEqualTo(AclAction.FORBID);
        // "go" is a token of neither
        assertThat(f.check(List.of("AdsBot-Google (+http://www.google.com/adsbot.html)"))).isEqualTo(AclAction.PERMIT);
        assertThat(f.check(List.of("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")))
                .isEqualTo(AclAction.PERMIT);
        assertThat(f.check(List.of("libcurl-agent/1.0"))).isEqualTo(AclAction.PERMIT);
        assertThat(f.check(List.of())).isEqualTo(AclAction.PERMIT);
        // every value counts, and one naming a forbidden client is enough
        assertThat(f.check(List.of("Mozilla/5.0", "curl/8"))).isEqualTo(AclAction.FORBID);
    }

    @Test
    void aNameMatchesAsATokenInsideComments() throws Exception {
        var f = filter("forbid: AdsBot-Google-Mobile");
        assertThat(f.check(List.of("Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) Safari/601.1 "
                + "(compatible; AdsBot-Google-Mobile; +http://www.google.com/mobile/adsbot.html)")))
                .isEqualTo(AclAction.FORBID);
        assertThat(filter("APIs-Google").check(List.of(
                "APIs-Google (+https://developers.google.com/webmasters/APIs-Google.html)"))).isEqualTo(AclAction.FORBID);
    }

    @Test
    void aMapWithDefaultForbidIsAnAllowList() throws Exception {
        var f = filter("{default: forbid, permit: [Mozilla], forbid_log: wget}");
        assertThat(f.check(List.of("Mozilla/5.0 (X11)"))).isEqualTo(AclAction.PERMIT);
        assertThat(f.check(List.of("Wget/1.21"))).isEqualTo(AclAction.FORBID_LOG);
        assertThat(f.check(List.of("curl/8"))).isEqualTo(AclAction.FORBID);
        assertThat(f.check(List.of())).isEqualTo(AclAction.FORBID);
    }

    @Test
    void aValueOutsidePrintableAsciiIsForbidden() throws Exception {
        assertThat(filter("[curl]").check(List.of("Mozilla/5.0 \u00e9"))).isEqualTo(AclAction.FORBID);
        assertThat(filter("[curl]").check(List.of("Mozilla/5.0\u0000"))).isEqualTo(AclAction.FORBID);
    }

    @Test
    void badRulesAreRefusedClearly() {
        assertThatThrownBy(() -> filter("{block: [curl]}")).hasMessageContaining("invalid ACL action 'block'");
        assertThatThrownBy(() -> filter("[' ']")).hasMessageContaining("empty user agent name");
    }
}
