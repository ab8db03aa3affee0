package io.g3k.config.auth;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.util.Optional;

/**
 * A user's {@code audit}, as g3proxy takes it: a user's tunnels are inspected (and TLS in them intercepted) only with
 * {@code enable_protocol_inspection} (off by default), sampled by the user's {@code task_audit_ratio} (alias
 * {@code application_audit_ratio}) where set, else by the auditor's ratio; the user's ratio also samples its
 * forwarded HTTP requests for ICAP. {@code prohibit_unknown_protocol} and {@code prohibit_timeout_protocol} load with
 * a warning: g3k relays what it does not recognise, as it does for anonymous tasks.
 */
public record UserAudit(boolean enableProtocolInspection, Optional<Double> taskAuditRatio) {
    /** A user without an {@code audit} map: g3proxy's defaults. */
    public static final UserAudit DEFAULT = new UserAudit(false, Optional.empty());

    static UserAudit parse(YamlMap map) {
        var audit = new UserAudit(map.bool("enable_protocol_inspection", false),
                map.take("task_audit_ratio", Values::ratio, "application_audit_ratio"));
        map.ignoreWithWarning("prohibit_unknown_protocol", "prohibit_timeout_protocol");
        map.finish();
        return audit;
    }
}
