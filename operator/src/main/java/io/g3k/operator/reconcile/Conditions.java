package io.g3k.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** metav1.Condition bookkeeping: the transition time moves only when the status flips, so no write loops. */
final class Conditions {
    private Conditions() {}

    static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
                               Long generation) {
        List<Condition> out = new ArrayList<>();
        String value = status ? "True" : "False";
        String since = Instant.now().toString();
        for (Condition c : current == null ? List.<Condition>of() : current) {
            if (c.getType().equals(type)) {
                if (c.getStatus().equals(value)) {
                    since = c.getLastTransitionTime();
                }
            } else {
                out.add(c);
            }
        }
        out.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build());
        out.sort(java.util.Comparator.comparing(Condition::getType));
        return out;
    }

    static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> c.getType().equals(type)
                && c.getStatus().equals("True"));
    }
}
