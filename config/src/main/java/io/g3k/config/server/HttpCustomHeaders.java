package io.g3k.config.server;

import io.g3k.config.YamlMap;
import java.util.Optional;

/**
 * g3proxy's custom response headers ("Http Custom Headers"): with {@code server_id}, each upstream response gets
 * {@code X-BD-Remote-Connection-Info: <id>; local=…; remote=…} appended and, with {@code http_forward_mark_upstream},
 * {@code X-BD-Upstream-Id: <id>} unless a proxy nearer the target set it; {@code echo_chained_info} adds
 * {@code X-BD-Upstream-Addr} and {@code X-BD-Outgoing-IP} (the far-most proxy's target and outgoing address) unless
 * already there. Only {@code server_id} applies to {@code http_rproxy}.
 */
public record HttpCustomHeaders(Optional<String> serverId, boolean markUpstream, boolean echoChainedInfo) {
    public static final HttpCustomHeaders NONE = new HttpCustomHeaders(Optional.empty(), false, false);

    public boolean any() {
        return serverId.isPresent() || echoChainedInfo;
    }

    static HttpCustomHeaders parse(YamlMap map, boolean forwardProxy) {
        Optional<String> id = map.string("server_id");
        if (id.isPresent() && !id.get().matches("[\\x21-\\x7e&&[^;,]]+")) {
            throw map.error("server_id", "must be printable ASCII without spaces, ';' or ',' (it goes into a header)");
        }
        if (!forwardProxy) {
            return new HttpCustomHeaders(id, false, false);
        }
        boolean mark = map.bool("http_forward_mark_upstream", false);
        if (mark && id.isEmpty()) {
            map.warnings().add(map.location() + ": 'http_forward_mark_upstream' marks responses with the server_id, "
                    + "and none is set: no X-BD-Upstream-Id is added");
        }
        return new HttpCustomHeaders(id, mark, map.bool("echo_chained_info", false));
    }
}
