package io.g3k.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line: check prints the resolved config; a bad config is refused with exit code 2; train puts traffic
 * through every load it names and leaves nothing running.
 */
class G3kCliTest {
    @TempDir
    Path dir;

    record Outcome(int exit, String out, String err) {}

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new G3k()).execute(args);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void checksTheQuickstartExample() {
        Outcome o = run("check", "-c", "../examples/quickstart/main.yml");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).contains("name: \"http\"").contains("name: \"socks\"").contains("127.0.0.1:8080")
                .contains("enable_udp_associate: true").contains("169.254.0.0/16");
    }

    @Test
    void refusesABadConfigWithItsLocation() throws Exception {
        Path bad = Files.writeString(dir.resolve("main.yml"), "server:\n  - {name: s, type: socks_proxy, escaper: e, listen: 99999}\n");
        for (String command : new String[] {"check", "run"}) {
            Outcome o = run(command, "-c", bad.toString());
            assertThat(o.exit()).isEqualTo(2);
            assertThat(o.err()).contains("invalid config").contains(bad.toString()).contains("server[0] 's'")
                    .contains("key 'listen'").contains("port must be within 1..65535");
        }
    }

    @Test
    void passphraseHashMakesTokensThatAuthenticate() throws Exception {
        for (String[] args : new String[][] {{"passphrase-hash", "toor"}, {"passphrase-hash", "--crypt", "sha512", "toor"},
                {"passphrase-hash", "--crypt=md5", "toor"}}) {
            Outcome o = run(args);
            assertThat(o.exit()).as(o.err()).isZero();
            Path main = Files.writeString(dir.resolve("main.yml"), "user_group:\n  - name: g\n    static_users:\n"
                    + "      - name: u\n" + o.out().indent(8));
            var group = io.g3k.config.ConfigLoader.load(main).userGroups().getFirst();
            var users = new io.g3k.dataplane.auth.UserGroup(group, null);
            assertThat(users.authenticate("u", "toor")).as(o.out()).isPresent();
            assertThat(users.authenticate("u", "tooR")).isEmpty();
        }
        assertThat(run("passphrase-hash", "--crypt=des", "x").exit()).isEqualTo(2);
    }

    @Test
    void printsItsVersion() {
        Outcome o = run("--version");
        assertThat(o.exit()).isZero();
        assertThat(o.out()).startsWith("g3k ");
    }

    @Test
    void trainPutsTrafficThroughEveryServerTypeAndStopsThemAll() {
        long threadsBefore = g3kThreads();
        Outcome o = run("train", "--seconds", "2");
        assertThat(o.exit()).as(o.out() + o.err()).isZero();
        for (String load : new String[] {"http_proxy forward", "http_proxy CONNECT", "socks_proxy SOCKS5",
                "http_rproxy, a connection a request", "tcp_stream", "tls_stream handshakes"}) {
            assertThat(o.out()).as(o.out()).containsPattern("g3k train: " + Pattern.quote(load)
                    + " +[1-9][0-9]* requests, 0 failed rounds");
        }
        // the servers it started are gone: their event-loop threads end with shutdown
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> g3kThreads() <= threadsBefore);
    }

    @Test
    void trainRefusesLessThanASecond() {
        Outcome o = run("train", "--seconds", "0");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("--seconds must be at least 1");
    }

    private static long g3kThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("g3k-worker") || t.getName().startsWith("g3k-train")))
                .count();
    }
}
