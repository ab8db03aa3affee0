package io.g3k.config.escaper;

/** {@code type: dummy_deny}: refuses every task. Also what a dangling escaper reference falls back to. */
public record DummyDenyEscaperConfig(String name) implements EscaperConfig {
    public static final String TYPE = "dummy_deny";

    @Override
    public String type() {
        return TYPE;
    }
}
