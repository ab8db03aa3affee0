package io.g3k.config.resolver;

/** {@code type: deny_all}: answers every query with an error. Also what a dangling resolver reference falls back to. */
public record DenyAllResolverConfig(String name) implements ResolverConfig {
    public static final String TYPE = "deny_all";

    @Override
    public String type() {
        return TYPE;
    }
}
