package io.g3k.config;

/** g3proxy ACL actions with their aliases. */
public enum AclAction {
    PERMIT, PERMIT_LOG, FORBID, FORBID_LOG;

    public boolean permits() {
        return this == PERMIT || this == PERMIT_LOG;
    }

    public static AclAction parse(String text) {
        return switch (Keys.normalize(text)) {
            case "permit", "allow", "accept" -> PERMIT;
            case "permit_log", "allow_log", "accept_log" -> PERMIT_LOG;
            case "forbid", "deny", "reject" -> FORBID;
            case "forbid_log", "deny_log", "reject_log" -> FORBID_LOG;
            default -> throw new IllegalArgumentException("invalid ACL action '" + text
                    + "' (expected permit, permit_log, forbid or forbid_log)");
        };
    }
}
