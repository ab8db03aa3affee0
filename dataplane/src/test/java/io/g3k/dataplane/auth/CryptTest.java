package io.g3k.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** crypt(5) against vectors produced by {@code openssl passwd} and g3proxy's own CI. */
class CryptTest {
    @Test
    void matchesOpensslPasswd() {
        assertThat(Crypt.crypt("toor", "$1$rnfSARNK")).isEqualTo("$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1");
        assertThat(Crypt.crypt("Hello world!", "$5$saltstring"))
                .isEqualTo("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5");
        assertThat(Crypt.crypt("Hello world!", "$6$saltstring")).isEqualTo("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKw"
                + "SMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
        assertThat(Crypt.crypt("Hello world!", "$6$rounds=10000$saltstringsaltst")).isEqualTo("$6$rounds=10000$saltst"
                + "ringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.");
    }

    @Test
    void verifiesAndRejects() {
        assertThat(Crypt.verify("toor", "$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1")).isTrue();
        assertThat(Crypt.verify("toor!", "$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1")).isFalse();
        assertThat(Crypt.verify("toor", "$2y$10$notsupported")).isFalse();
    }
}
