package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.audit.ProtocolInspection.Protocol;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The first bytes of a tunnel, client side and server side, and what protocol inspection names them. */
class ProtocolInspectionTest {
    static Protocol client(String bytes) {
        return ProtocolInspection.clientFirst(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    // control bytes are quoted: the CSV reader trims everything up to the space character
    @ParameterizedTest(name = "client sends {0}")
    @CsvSource(delimiter = '|', nullValues = "WAIT", textBlock = """
            '\u0016\u0003\u0001\u0002\u0000'                | TLS
            '\u0016\u0001'                                  | UNKNOWN
            GET / HTTP/1.1                                  | HTTP1
            PROPFIND /dav HTTP/1.1                          | HTTP1
            PRI * HTTP/2.0                                  | HTTP2
            SSH-2.0-OpenSSH_9.2                             | SSH
            GETX / HTTP/1.1                                 | UNKNOWN
            hello there, no protocol                        | UNKNOWN
            PO                                              | WAIT
            PR                                              | WAIT
            '\u0016'                                        | WAIT
            """)
    void namesWhatTheClientSpeaks(String bytes, Protocol expected) {
        assertThat(client(bytes)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "server on port {1} sends {0}")
    @CsvSource(delimiter = '|', nullValues = "WAIT", textBlock = """
            220 mail.example ESMTP       | 25   | SMTP
            220-welcome                  | 587  | SMTP
            220 FTP ready                | 21   | FTP
            SSH-2.0-OpenSSH_9.2          | 22   | SSH
            +OK POP3 ready               | 110  | POP3
            * OK IMAP4rev1               | 143  | IMAP
            22                           | 25   | WAIT
            2200                         | 25   | UNKNOWN
            HTTP/1.1 200 OK              | 80   | UNKNOWN
            """)
    void namesWhatTheServerSpeaksFirst(String bytes, int port, Protocol expected) {
        assertThat(ProtocolInspection.serverFirst(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1), port))
                .isEqualTo(expected);
    }
}
