package io.g3k.dataplane.audit;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.audit.AuditorConfig;
import io.g3k.config.auth.UserAudit;
import io.g3k.config.audit.ProtocolInspectPolicy;
import io.g3k.dataplane.audit.icap.IcapClient;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A running {@code auditor}: decides which tunnels are inspected and which HTTP messages go to its ICAP services,
 * and holds what TLS interception and ICAP need.
 */
public final class Auditor implements AutoCloseable {
    private final String name;
    private final double taskAuditRatio;
    private final Optional<TlsCertGenerator> certGenerator;
    private final SslContext interceptionClient;
    private final Duration handshakeTimeout;
    private final Optional<IcapClient> reqmod;
    private final Optional<IcapClient> respmod;
    private final double applicationAuditRatio;
    private final Optional<StreamDump> streamDump;
    private final AuditorConfig config;

    public Auditor(AuditorConfig config, Transport transport) {
        String location = "auditor '" + config.name() + "'";
        this.name = config.name();
        this.taskAuditRatio = config.taskAuditRatio();
        this.certGenerator = config.tlsCertGenerator().map(c -> new TlsCertGenerator(c, location));
        this.interceptionClient = TlsClientContexts.build(config.tlsInterceptionClient(), location, "http/1.1");
        this.handshakeTimeout = config.tlsInterceptionClient().handshakeTimeout();
        this.reqmod = config.icapReqmodService().map(c -> new IcapClient(c, transport, location + " icap_reqmod_service"));
        this.respmod = config.icapRespmodService().map(c -> new IcapClient(c, transport, location + " icap_respmod_service"));
        this.applicationAuditRatio = config.applicationAuditRatio();
        this.streamDump = config.tlsStreamDump().map(c -> new StreamDump(c, transport));
        this.config = config;
    }

    /** {@code websocket_inspect_policy} for an upgrade to WebSocket in an audited request to this target. */
    public ProtocolInspectPolicy.Action websocket(UpstreamAddr target) {
        return config.websocketInspectPolicy().check(target);
    }

    /** The inspect policy's action for a protocol found in an audited tunnel to this target. */
    ProtocolInspectPolicy.Action action(ProtocolInspection.Protocol protocol, UpstreamAddr target) {
        return switch (protocol) {
            case HTTP2 -> config.h2InspectPolicy().check(target);
            case SMTP -> config.smtpInspectPolicy().check(target);
            case IMAP -> config.imapInspectPolicy().check(target);
            default -> ProtocolInspectPolicy.Action.INTERCEPT;
        };
    }

    Optional<StreamDump> streamDump() {
        return streamDump;
    }

    /**
     * The ICAP services for one HTTP exchange, sampled by {@code application_audit_ratio} (a user's own
     * {@code audit.task_audit_ratio} where set); empty = no adaptation.
     */
    public Adaptation adaptation(Optional<UserAudit> user) {
        return sampled(user.flatMap(UserAudit::taskAuditRatio).orElse(applicationAuditRatio))
                ? new Adaptation(reqmod, respmod) : Adaptation.NONE;
    }

    /** The REQMOD and RESPMOD services an exchange uses. */
    public record Adaptation(Optional<IcapClient> reqmod, Optional<IcapClient> respmod) {
        public static final Adaptation NONE = new Adaptation(Optional.empty(), Optional.empty());
    }

    public String name() {
        return name;
    }

    /**
     * Whether to audit this tunnel at all, as g3proxy decides: a user's only with its
     * {@code audit.enable_protocol_inspection}; then sampled by the user's {@code audit.task_audit_ratio} where set,
     * else by {@code task_audit_ratio}.
     */
    public boolean inspects(Optional<UserAudit> user) {
        if (user.isPresent() && !user.get().enableProtocolInspection()) {
            return false;
        }
        return sampled(user.flatMap(UserAudit::taskAuditRatio).orElse(taskAuditRatio));
    }

    private static boolean sampled(double ratio) {
        return ratio >= 1 || ThreadLocalRandom.current().nextDouble() < ratio;
    }

    /** Whether TLS in tunnels is intercepted: only with a certificate generator, as in g3proxy. */
    boolean interceptsTls() {
        return certGenerator.isPresent();
    }

    /** Whether it has a RESPMOD service: responses may then be needed as objects, not bytes. */
    public boolean respmods() {
        return respmod.isPresent();
    }

    /** Whether plain HTTP/1 in tunnels is worth intercepting: only when there is an ICAP service to adapt it. */
    boolean adaptsHttp() {
        return reqmod.isPresent() || respmod.isPresent();
    }

    TlsCertGenerator certGenerator() {
        return certGenerator.orElseThrow();
    }

    SslContext interceptionClient() {
        return interceptionClient;
    }

    Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    @Override
    public void close() {
        reqmod.ifPresent(IcapClient::close);
        respmod.ifPresent(IcapClient::close);
        certGenerator.ifPresent(TlsCertGenerator::close);
        streamDump.ifPresent(StreamDump::close);
    }
}
