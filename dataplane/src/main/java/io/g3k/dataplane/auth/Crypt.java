package io.g3k.dataplane.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * crypt(5) password hashes as g3proxy accepts them: MD5-crypt ({@code $1$}), SHA-256-crypt ({@code $5$}) and
 * SHA-512-crypt ({@code $6$}, with optional {@code rounds=N$}), following the FreeBSD and Drepper specifications.
 */
public final class Crypt {
    private static final String B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Crypt() {}

    public static boolean supports(String hash) {
        return hash.startsWith("$1$") || hash.startsWith("$5$") || hash.startsWith("$6$");
    }

    /** Hashes {@code password} with the algorithm, salt and rounds of {@code setting} (a full hash works too). */
    public static String crypt(String password, String setting) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (setting.startsWith("$1$")) {
            return md5(pw, salt(setting.substring(3), 8));
        }
        boolean sha256 = setting.startsWith("$5$");
        if (!sha256 && !setting.startsWith("$6$")) {
            throw new IllegalArgumentException("unsupported crypt hash (expected $1$, $5$ or $6$)");
        }
        String rest = setting.substring(3);
        int rounds = 5000;
        boolean customRounds = false;
        if (rest.startsWith("rounds=")) {
            int end = rest.indexOf('$');
            if (end < 0) {
                throw new IllegalArgumentException("invalid rounds in crypt hash");
            }
            rounds = (int) Math.max(1000, Math.min(999_999_999L, Long.parseLong(rest.substring(7, end))));
            rest = rest.substring(end + 1);
            customRounds = true;
        }
        return sha(pw, salt(rest, 16), rounds, customRounds, sha256);
    }

    /** Constant-time check of a password against a crypt(5) hash. */
    public static boolean verify(String password, String hash) {
        String computed;
        try {
            computed = crypt(password, hash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII));
    }

    private static String salt(String rest, int max) {
        int end = rest.indexOf('$');
        String salt = end < 0 ? rest : rest.substring(0, end);
        return salt.length() > max ? salt.substring(0, max) : salt;
    }

    private static String md5(byte[] pw, String saltText) {
        byte[] salt = saltText.getBytes(StandardCharsets.US_ASCII);
        MessageDigest ctx = digest("MD5");
        ctx.update(pw);
        ctx.update("$1$".getBytes(StandardCharsets.US_ASCII));
        ctx.update(salt);
        MessageDigest alt = digest("MD5");
        alt.update(pw);
        alt.update(salt);
        alt.update(pw);
        byte[] altResult = alt.digest();
        for (int left = pw.length; left > 0; left -= 16) {
            ctx.update(altResult, 0, Math.min(left, 16));
        }
        for (int i = pw.length; i != 0; i >>>= 1) {
            if ((i & 1) != 0) {
                ctx.update((byte) 0);
            } else {
                ctx.update(pw, 0, Math.min(1, pw.length));
            }
        }
        byte[] fin = ctx.digest();
        for (int i = 0; i < 1000; i++) {
            MessageDigest round = digest("MD5");
            round.update((i & 1) != 0 ? pw : fin);
            if (i % 3 != 0) {
                round.update(salt);
            }
            if (i % 7 != 0) {
                round.update(pw);
            }
            round.update((i & 1) != 0 ? fin : pw);
            fin = round.digest();
        }
        StringBuilder out = new StringBuilder("$1$").append(saltText).append('$');
        int[][] groups = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
        for (int[] g : groups) {
            b64(out, fin[g[0]], fin[g[1]], fin[g[2]], 4);
        }
        b64(out, (byte) 0, (byte) 0, fin[11], 2);
        return out.toString();
    }

    private static String sha(byte[] pw, String saltText, int rounds, boolean customRounds, boolean sha256) {
        String algorithm = sha256 ? "SHA-256" : "SHA-512";
        int size = sha256 ? 32 : 64;
        byte[] salt = saltText.getBytes(StandardCharsets.US_ASCII);
        MessageDigest b = digest(algorithm);
        b.update(pw);
        b.update(salt);
        b.update(pw);
        byte[] bResult = b.digest();
        MessageDigest a = digest(algorithm);
        a.update(pw);
        a.update(salt);
        int left = pw.length;
        for (; left > size; left -= size) {
            a.update(bResult);
        }
        a.update(bResult, 0, left);
        for (int i = pw.length; i > 0; i >>>= 1) {
            a.update((i & 1) != 0 ? bResult : pw);
        }
        byte[] aResult = a.digest();
        MessageDigest dp = digest(algorithm);
        for (int i = 0; i < pw.length; i++) {
            dp.update(pw);
        }
        byte[] p = repeat(dp.digest(), pw.length);
        MessageDigest ds = digest(algorithm);
        for (int i = 0; i < 16 + (aResult[0] & 0xff); i++) {
            ds.update(salt);
        }
        byte[] s = repeat(ds.digest(), salt.length);
        for (int i = 0; i < rounds; i++) {
            MessageDigest c = digest(algorithm);
            c.update((i & 1) != 0 ? p : aResult);
            if (i % 3 != 0) {
                c.update(s);
            }
            if (i % 7 != 0) {
                c.update(p);
            }
            c.update((i & 1) != 0 ? aResult : p);
            aResult = c.digest();
        }
        StringBuilder out = new StringBuilder(sha256 ? "$5$" : "$6$");
        if (customRounds) {
            out.append("rounds=").append(rounds).append('$');
        }
        out.append(saltText).append('$');
        byte[] r = aResult;
        if (sha256) {
            int[][] groups = {{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14}, {15, 25, 5},
                    {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}};
            for (int[] g : groups) {
                b64(out, r[g[0]], r[g[1]], r[g[2]], 4);
            }
            b64(out, (byte) 0, r[31], r[30], 3);
        } else {
            int[][] groups = {{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26},
                    {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54},
                    {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60},
                    {40, 61, 19}, {62, 20, 41}};
            for (int[] g : groups) {
                b64(out, r[g[0]], r[g[1]], r[g[2]], 4);
            }
            b64(out, (byte) 0, (byte) 0, r[63], 2);
        }
        return out.toString();
    }

    private static byte[] repeat(byte[] source, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = source[i % source.length];
        }
        return out;
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(B64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
