package io.g3k.operator.api;

import io.fabric8.crd.generator.annotation.PreserveUnknownFields;

/** Schema stand-in for option maps: an object whose fields the API server keeps as given (any value type). */
@PreserveUnknownFields
public final class FreeForm {
    private FreeForm() {}
}
