package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A g3proxy auditor (options only; auditors have no type), with the TLS interception CA from a Secret. */
public class AuditorSpec extends ModuleSpec {
    /**
     * A {@code kubernetes.io/tls} Secret holding the CA that signs intercepted hosts' certificates
     * ({@code tls_cert_generator}); without it the auditor does not intercept TLS.
     */
    public ObjectRef caSecretRef;

    public AuditorSpec() {
        type = "auditor";
    }

    @Override
    public Map<String, Object> typedKeys() {
        return new LinkedHashMap<>();
    }
}
