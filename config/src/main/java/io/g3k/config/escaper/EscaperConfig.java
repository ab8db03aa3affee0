package io.g3k.config.escaper;

/** An {@code escaper:} entry: how tasks leave the proxy. */
public sealed interface EscaperConfig permits DirectFixedEscaperConfig, DummyDenyEscaperConfig {
    String name();

    String type();
}
