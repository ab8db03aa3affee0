package io.g3k.config.resolver;

/** A {@code resolver:} entry: how escapers turn names into addresses. */
public sealed interface ResolverConfig permits CAresResolverConfig, DenyAllResolverConfig, FailOverResolverConfig,
        HickoryResolverConfig {
    String name();

    String type();
}
