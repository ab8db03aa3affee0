package io.g3k.dataplane.server.socksproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad SOCKS input gets the proper reply, then the close; nothing reaches the origin. */
class SocksMalformedInputTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "", "    negotiation_timeout: 1s\n");

    @AfterEach
    void nothingReachedTheOrigin() {
        assertThat(fixture.origin().requests.get()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "no methods (NMETHODS=0),       0500,                          05ff",
            "no acceptable method,          050102,                        05ff",
            "unknown command,               050100 05090001 7f000001 0050, 0500 0507",
            "unknown address type,          050100 05010005 7f000001 0050, 0500 0508",
            "empty domain,                  050100 05010003 00 0050,       0500 0501",
            "NUL in domain,                 050100 05010003 03 610062 0050, 0500 0501",
            "port zero,                     050100 05010001 7f000001 0000, 0500 0501",
            "SOCKS4 BIND,                   04020050 7f000001 00,          005b",
            "SOCKS4a empty domain,          04010050 00000001 00 00,       005b",
    })
    void repliesWithFailureAndCloses(String name, String request, String expectedPrefix) throws Exception {
        byte[] bytes = HexFormat.of().parseHex(request.replace(" ", ""));
        byte[] expected = HexFormat.of().parseHex(expectedPrefix.replace(" ", ""));
        try (RawClient c = new RawClient(fixture.proxy().port("socks"))) {
            String reply = c.send(bytes).readUntilClosed();
            byte[] got = reply.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(got).as(name).startsWith(expected);
        }
    }

    @Test
    void unknownVersionIsClosed() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("socks"))) {
            assertThat(c.send(new byte[] {6, 1, 0}).readUntilClosed()).isEmpty();
        }
    }

    @Test
    void truncatedGreetingIsClosedByTheNegotiationTimeout() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("socks"))) {
            long start = System.nanoTime();
            assertThat(c.send(new byte[] {5, 2}).readUntilClosed()).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 5_000L);
        }
    }
}
