package io.g3k.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.config.PemValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private keys in every PEM form openssl writes, read for key material that is converted once. */
class PemTest {
    @TempDir
    Path dir;

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        assertThat(Pem.privateKey(PemValue.of(openssl("pkcs8.pem", "genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256"))).getAlgorithm()).isEqualTo("EC");
        // SEC1, with the "EC PARAMETERS" block in front of the key
        assertThat(Pem.privateKey(PemValue.of(openssl("sec1.pem", "ecparam", "-genkey", "-name", "prime256v1")))
                .getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.privateKey(PemValue.of(openssl("pkcs1.pem", "genrsa", "-traditional", "2048"))).getAlgorithm())
                .isEqualTo("RSA");
    }

    @Test
    void aFileWithoutAKeySaysSo() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("empty.pem"), "just text\n");
        assertThatThrownBy(() -> Pem.privateKey(PemValue.of(notAKey))).isInstanceOf(IOException.class)
                .hasMessageContaining("holds no unencrypted PEM private key");
    }

    private Path openssl(String name, String... args) throws Exception {
        Path out = dir.resolve(name);
        // "-out" right behind the command: genrsa takes the key size last
        List<String> command = new ArrayList<>(List.of("openssl", args[0], "-out", out.toString()));
        command.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        return out;
    }
}
