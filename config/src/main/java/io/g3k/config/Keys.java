package io.g3k.config;

import java.util.Locale;

/** g3proxy's key and type normalisation: case-insensitive, with '-' and '_' the same. */
public final class Keys {
    private Keys() {}

    public static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace('-', '_');
    }
}
