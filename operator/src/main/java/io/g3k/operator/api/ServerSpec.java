package io.g3k.operator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A g3proxy server: {@code type}, {@code listen}, typed references, TLS from a Secret, and options. */
public class ServerSpec extends ModuleSpec {
    /** {@code "ip:port"} or a port. */
    public String listen;
    public ObjectRef escaperRef;
    public ObjectRef userGroupRef;
    public ObjectRef auditorRef;
    /** For port servers (plain_tcp_port, plain_tls_port, intelli_proxy targets): the server to hand over to. */
    public ObjectRef serverRef;
    /** A {@code kubernetes.io/tls} Secret (cert-manager works) for {@code tls_server}. */
    public ObjectRef tlsSecretRef;

    @Override
    public Map<String, Object> typedKeys() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (listen != null) {
            out.put("listen", listen);
        }
        putRef(out, "escaper", escaperRef);
        putRef(out, "user_group", userGroupRef);
        putRef(out, "auditor", auditorRef);
        putRef(out, "server", serverRef);
        return out;
    }

    static void putRef(Map<String, Object> out, String key, ObjectRef ref) {
        if (ref != null && ref.name != null) {
            out.put(key, ref.name);
        }
    }
}
