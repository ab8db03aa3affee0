package io.g3k.dataplane.control;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code g3k ctl}: g3proxy-ctl's commands against a running g3k. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Control a running g3k.", "Commands: version | healthz | list servers|escapers|resolvers|user-groups"
                + " | reload [<kind> <name>] | push <main.yml> | offline | server <name> status"
                + " | resolver <name> query <domain>"
                + " | user-group <name> list-static-user|list-dynamic-user|publish-user <users.json>"
                + " | escaper <name> publish <json>"})
public final class CtlCommand implements Callable<Integer> {
    @Option(names = {"-G", "--group-name"}, defaultValue = "g3k", description = "daemon group (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = {"-C", "--control-dir"}, description = "control socket directory (default: $RUNTIME_DIRECTORY or /tmp/g3k)")
    Path dir;

    @Option(names = {"-p", "--pid"}, description = "talk to this process instead of the group's current one")
    Long pid;

    @Parameters(arity = "1..*", description = "the command and its arguments")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        Path base = dir != null ? dir : ControlPaths.defaultDir();
        Path socket = pid != null ? ControlPaths.process(base, group, pid) : ControlPaths.group(base, group);
        if (!Files.exists(socket)) {
            System.err.println("g3k ctl: no control socket " + socket + " (is g3k running with -G " + group + "?)");
            return 1;
        }
        String[] call = route(command);
        if (call == null) {
            System.err.println("g3k ctl: unknown command " + String.join(" ", command) + "; see g3k ctl --help");
            return 2;
        }
        byte[] body = call.length < 3 ? new byte[0] : call[2].startsWith(INLINE)
                ? call[2].substring(INLINE.length()).getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(Path.of(call[2]));
        var response = new ControlClient(UnixDomainSocketAddress.of(socket), Optional.empty()).call(call[0], call[1], body);
        (response.ok() ? System.out : System.err).print(response.body());
        return response.ok() ? 0 : 1;
    }

    /** Marks a body given on the command line rather than a file to read. */
    static final String INLINE = "inline:";

    /** The HTTP method, path (and a file to send, or an inline body) for a ctl command. */
    static String[] route(List<String> c) {
        String verb = c.getFirst();
        return switch (verb) {
            case "version", "healthz" -> new String[] {"GET", "/" + verb};
            case "list" -> c.size() == 2 ? new String[] {"GET", "/list/" + c.get(1)} : null;
            case "reload" -> c.size() == 1 ? new String[] {"POST", "/reload"}
                    : c.size() == 3 ? new String[] {"POST", "/reload/" + c.get(1) + "/" + c.get(2)} : null;
            case "reload-server", "reload-escaper", "reload-resolver", "reload-user-group", "reload-auditor" ->
                    c.size() == 2 ? new String[] {"POST", "/reload/" + verb.substring(7) + "/" + c.get(1)} : null;
            case "push" -> c.size() == 2 ? new String[] {"PUT", "/config", c.get(1)} : null;
            case "offline" -> new String[] {"POST", "/offline"};
            case "server" -> c.size() == 3 && c.get(2).equals("status")
                    ? new String[] {"GET", "/servers/" + c.get(1) + "/status"} : null;
            case "user-group" -> c.size() == 3 && c.get(2).equals("list-static-user")
                    ? new String[] {"GET", "/user-groups/" + c.get(1) + "/static-users"}
                    : c.size() == 3 && c.get(2).equals("list-dynamic-user")
                    ? new String[] {"GET", "/user-groups/" + c.get(1) + "/dynamic-users"}
                    : c.size() == 4 && c.get(2).equals("publish-user")
                    ? new String[] {"POST", "/user-groups/" + c.get(1) + "/publish", c.get(3)} : null;
            case "escaper" -> c.size() == 4 && c.get(2).equals("publish")
                    ? new String[] {"POST", "/escapers/" + c.get(1) + "/publish", INLINE + c.get(3)} : null;
            case "resolver" -> c.size() == 4 && c.get(2).equals("query")
                    ? new String[] {"GET", "/resolvers/" + c.get(1) + "/query?domain="
                    + java.net.URLEncoder.encode(c.get(3), StandardCharsets.UTF_8)} : null;
            default -> null;
        };
    }
}
