package io.g3k.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP Basic proxy auth and SOCKS5 username/password against a g3proxy user group with a salted token. */
class UserAuthenticationTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "    user_group: users\n", "    user_group: users\n");
    static String http;
    static String socks;

    @BeforeAll
    static void urls() {
        http = "http://127.0.0.1:" + fixture.proxy().port("http");
        socks = "127.0.0.1:" + fixture.proxy().port("socks");
    }

    String url() {
        return "http://127.0.0.1:" + fixture.origin().port() + "/private";
    }

    @Test
    void httpProxyRequiresValidCredentials() throws Exception {
        int before = fixture.origin().requests.get();
        var none = Curl.run("-x", http, "-D", "-", "-o", "/dev/null", url());
        assertThat(none.out()).startsWith("HTTP/1.1 407").contains("proxy-authenticate: Basic realm=\"proxy\"");
        for (String wrong : new String[] {"root:wrong", "nobody:toor", "root:"}) {
            assertThat(Curl.run("-x", http, "-U", wrong, "-o", "/dev/null", "-w", "%{http_code}", url()).out())
                    .as(wrong).isEqualTo("407");
        }
        assertThat(fixture.origin().requests.get()).isEqualTo(before);
        var ok = Curl.run("-x", http, "-U", "root:toor", url());
        assertThat(ok.out()).isEqualTo("hello /private\n");
        var tunnel = Curl.run("-p", "-x", http, "-U", "root:toor", url());
        assertThat(tunnel.out()).isEqualTo("hello /private\n");
    }

    @Test
    void socks5RequiresValidCredentials() throws Exception {
        assertThat(Curl.run("-x", "socks5h://root:toor@" + socks, url()).out()).isEqualTo("hello /private\n");
        var wrong = Curl.run("-x", "socks5h://root:bad@" + socks, url());
        assertThat(wrong.exit()).isEqualTo(97);
        var unknown = Curl.run("-x", "socks5h://ghost:toor@" + socks, url());
        assertThat(unknown.exit()).isEqualTo(97);
        var anonymous = Curl.run("-x", "socks5h://" + socks, url());
        assertThat(anonymous.exit()).isEqualTo(97);
    }

    @Test
    void socks4IsRefusedWhenAuthIsRequired() throws Exception {
        var r = Curl.run("-x", "socks4://" + socks, url());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("91");
    }

    @Test
    void emptyCredentialsGetAFailureReply() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("socks"))) {
            c.send(HexFormat.of().parseHex("050102"));
            assertThat(c.readExactly(2)).containsExactly(5, 2);
            String reply = c.send(HexFormat.of().parseHex("01 00 00".replace(" ", ""))).readUntilClosed();
            // RFC 1929: version 1, any non-zero status is a failure (Netty sends 0xFF)
            assertThat(reply.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).containsExactly(1, 0xff);
        }
    }
}
