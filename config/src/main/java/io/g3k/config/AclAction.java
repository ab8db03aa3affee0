package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BiConsumer;

/** g3proxy ACL actions with their aliases. */
public enum AclAction {
    PERMIT, PERMIT_LOG, FORBID, FORBID_LOG;

    public boolean permits() {
        return this == PERMIT || this == PERMIT_LOG;
    }

    /**
     * Reads a rule in g3proxy's ACL forms, handing each value and its action to {@code rule}: a map
     * ({@code default: <action>}, then {@code <action>: value | [values]}), or a list / scalar of values that are
     * permitted. Returns the action for values no rule names: forbid unless {@code default} says otherwise.
     */
    public static AclAction rules(JsonNode node, BiConsumer<String, AclAction> rule) {
        return rules(node, PERMIT, FORBID, rule);
    }

    /**
     * As {@link #rules(JsonNode, BiConsumer)}, for a rule whose list form gives its values {@code listed} and whose
     * missed action is {@code missed} unless {@code default} says otherwise (a user-agent rule inverts both).
     */
    public static AclAction rules(JsonNode node, AclAction listed, AclAction missedByDefault,
                                  BiConsumer<String, AclAction> rule) {
        AclAction missed = missedByDefault;
        if (node == null || node.isNull()) {
            return missed;
        }
        if (node.isObject()) {
            for (var entry : node.properties()) {
                if (Keys.normalize(entry.getKey()).equals("default")) {
                    missed = parse(Values.string(entry.getValue()));
                    continue;
                }
                AclAction action = parse(entry.getKey());
                Values.stringList(entry.getValue()).forEach(value -> rule.accept(value, action));
            }
        } else {
            Values.stringList(node).forEach(value -> rule.accept(value, listed));
        }
        return missed;
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
