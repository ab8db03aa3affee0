package io.g3k.dataplane.util;

/** Error text worth showing: TLS engines and futures wrap the telling message in generic exceptions. */
public final class Errors {
    private Errors() {}

    /** The innermost cause's message ("unable to find valid certification path", not "General OpenSslEngine problem"). */
    public static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
