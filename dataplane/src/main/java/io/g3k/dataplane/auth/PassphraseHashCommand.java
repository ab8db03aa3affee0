package io.g3k.dataplane.auth;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code g3k passphrase-hash}: a user {@code token} for the config, replacing g3proxy's passphrase_hash.py. The
 * password is read from standard input unless given (which leaves it in the shell history).
 */
@Command(name = "passphrase-hash", mixinStandardHelpOptions = true,
        description = "Print a user token (salt + md5 + sha1, or a crypt(5) string) for a password.")
public final class PassphraseHashCommand implements Callable<Integer> {
    @Option(names = "--crypt", paramLabel = "ALGORITHM",
            description = "print a crypt(5) string instead: sha512, sha256 or md5")
    String crypt;

    @Parameters(arity = "0..1", description = "the password (default: read one line from standard input)")
    String password;

    @Override
    public Integer call() throws Exception {
        String pw = password != null ? password
                : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (pw == null || pw.isEmpty()) {
            System.err.println("g3k passphrase-hash: empty password");
            return 2;
        }
        SecureRandom random = new SecureRandom();
        if (crypt != null) {
            String prefix = switch (crypt) {
                case "sha512" -> "$6$";
                case "sha256" -> "$5$";
                case "md5" -> "$1$";
                default -> null;
            };
            if (prefix == null) {
                System.err.println("g3k passphrase-hash: --crypt takes sha512, sha256 or md5");
                return 2;
            }
            StringBuilder salt = new StringBuilder();
            String alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            for (int i = 0; i < (prefix.equals("$1$") ? 8 : 16); i++) {
                salt.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            System.out.println("token: \"" + Crypt.crypt(pw, prefix + salt) + "\"");
            return 0;
        }
        byte[] salt = new byte[8];
        random.nextBytes(salt);
        System.out.println("token:");
        System.out.println("  salt: " + HexFormat.of().formatHex(salt));
        System.out.println("  md5: " + hash("MD5", pw, salt));
        System.out.println("  sha1: " + hash("SHA-1", pw, salt));
        return 0;
    }

    private static String hash(String algorithm, String password, byte[] salt) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        md.update(password.getBytes(StandardCharsets.UTF_8));
        md.update(salt);
        return HexFormat.of().formatHex(md.digest());
    }
}
