package io.g3k.dataplane.audit;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Protocol inspection: names the protocol inside a tunnel from its first bytes, the client's (TLS, HTTP/1, HTTP/2,
 * SSH) or, when the target speaks first, the target's (SSH, SMTP, FTP, POP3, IMAP). Pure functions over the bytes
 * seen so far; {@code null} means "not enough bytes yet".
 */
public final class ProtocolInspection {
    public enum Protocol {
        TLS("tls"), HTTP1("http1"), HTTP2("http2"), SSH("ssh"), SMTP("smtp"), FTP("ftp"), POP3("pop3"),
        IMAP("imap"), UNKNOWN("unknown");

        public final String logName;

        Protocol(String logName) {
            this.logName = logName;
        }
    }

    /** The most bytes a decision needs; past that the protocol is unknown. */
    public static final int MAX_PEEK = 16;
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
            "TRACE", "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT");
    private static final String H2_PREFACE = "PRI * HTTP/2.0";

    private ProtocolInspection() {}

    /** The protocol a client's first bytes announce. */
    public static Protocol clientFirst(ByteBuf in) {
        int n = Math.min(in.readableBytes(), MAX_PEEK);
        if (n == 0) {
            return null;
        }
        String head = in.toString(in.readerIndex(), n, StandardCharsets.ISO_8859_1);
        if (head.charAt(0) == 0x16) {
            // a TLS handshake record: content type 22, then version major 3
            return n < 2 ? null : head.charAt(1) == 0x03 ? Protocol.TLS : Protocol.UNKNOWN;
        }
        Protocol byPrefix = prefix(head, H2_PREFACE, Protocol.HTTP2);
        if (byPrefix != Protocol.UNKNOWN) {
            return byPrefix;
        }
        byPrefix = prefix(head, "SSH-", Protocol.SSH);
        if (byPrefix != Protocol.UNKNOWN) {
            return byPrefix;
        }
        int space = head.indexOf(' ');
        String token = space < 0 ? head : head.substring(0, space);
        if (space > 0) {
            return METHODS.contains(token) ? Protocol.HTTP1 : Protocol.UNKNOWN;
        }
        boolean partOfMethod = METHODS.stream().anyMatch(m -> m.startsWith(token));
        return partOfMethod && n < MAX_PEEK ? null : Protocol.UNKNOWN;
    }

    /** The protocol a target that speaks first announces; 220 greetings are FTP on port 21, SMTP elsewhere. */
    public static Protocol serverFirst(ByteBuf in, int targetPort) {
        int n = Math.min(in.readableBytes(), MAX_PEEK);
        if (n == 0) {
            return null;
        }
        String head = in.toString(in.readerIndex(), n, StandardCharsets.ISO_8859_1);
        for (var known : new Object[][] {{"SSH-", Protocol.SSH}, {"+OK", Protocol.POP3}, {"* OK", Protocol.IMAP}}) {
            Protocol p = prefix(head, (String) known[0], (Protocol) known[1]);
            if (p != Protocol.UNKNOWN) {
                return p;
            }
        }
        Protocol greeting = prefix(head, "220", Protocol.SMTP);
        if (greeting == null) {
            return null;
        }
        if (greeting == Protocol.SMTP) {
            if (n < 4) {
                return null;
            }
            char sep = head.charAt(3);
            if (sep == ' ' || sep == '-') {
                return targetPort == 21 ? Protocol.FTP : Protocol.SMTP;
            }
        }
        return Protocol.UNKNOWN;
    }

    /** {@code known} when the bytes start with {@code prefix}, null while they could still, UNKNOWN otherwise. */
    private static Protocol prefix(String head, String prefix, Protocol known) {
        int n = Math.min(head.length(), prefix.length());
        if (!head.regionMatches(0, prefix, 0, n)) {
            return Protocol.UNKNOWN;
        }
        return head.length() >= prefix.length() ? known : null;
    }
}
