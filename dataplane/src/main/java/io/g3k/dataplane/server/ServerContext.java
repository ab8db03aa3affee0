package io.g3k.dataplane.server;

import io.g3k.config.DstFilters;
import io.g3k.config.TcpMiscOpts;
import io.g3k.dataplane.audit.Auditor;
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.stat.ServerStats;
import io.g3k.dataplane.task.Tasks;
import java.util.Optional;

/**
 * What a running server uses: its escaper, its user group (absent = no auth), its auditor (absent = no audit), the
 * transport, tasks and stats, the {@code tcp_misc_opts} of its client sockets (which a user may adjust), and its
 * own destination filters (http_proxy and socks_proxy have them; checked before any user's).
 */
public record ServerContext(Escaper escaper, Optional<UserGroup> userGroup, Optional<Auditor> auditor,
                            Transport transport, Tasks tasks, ServerStats stats, TcpMiscOpts tcpMiscOpts,
                            DstFilters dstFilters) {}
