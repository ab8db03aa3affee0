package io.g3k.config.audit;

import io.g3k.config.TlsClientConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An {@code auditor:} entry. TLS interception happens when a {@code tls_cert_generator} is set (as in g3proxy, no
 * certificate source means no interception); {@code task_audit_ratio} samples which tunnels are inspected at all,
 * {@code application_audit_ratio} which HTTP messages go to the ICAP services.
 */
public record AuditorConfig(String name, Optional<TlsCertGeneratorConfig> tlsCertGenerator,
                            TlsClientConfig tlsInterceptionClient, double taskAuditRatio,
                            Optional<IcapServiceConfig> icapReqmodService, Optional<IcapServiceConfig> icapRespmodService,
                            double applicationAuditRatio, Optional<TlsStreamDumpConfig> tlsStreamDump,
                            ProtocolInspectPolicy h2InspectPolicy, ProtocolInspectPolicy websocketInspectPolicy,
                            ProtocolInspectPolicy smtpInspectPolicy, ProtocolInspectPolicy imapInspectPolicy) {
    public static AuditorConfig parse(YamlMap map, Path baseDir) {
        String name = map.requireString("name");
        Optional<TlsCertGeneratorConfig> generator = map.map("tls_cert_generator")
                .map(m -> TlsCertGeneratorConfig.parse(m, baseDir));
        if (map.has("tls_cert_agent", "tls_cert_generator_agent") && generator.isEmpty()) {
            map.warnings().add(map.location() + ": 'tls_cert_agent' (the external g3fcgen daemon) is not used by g3k;"
                    + " set 'tls_cert_generator' with a CA to intercept TLS. TLS interception is off");
        }
        map.take("tls_cert_agent", "tls_cert_generator_agent");
        TlsClientConfig client = map.map("tls_interception_client")
                .map(m -> TlsClientConfig.parse(m, baseDir)).orElse(TlsClientConfig.DEFAULT);
        double ratio = map.take("task_audit_ratio", Values::ratio).orElse(1.0);
        Optional<IcapServiceConfig> reqmod = map.take("icap_reqmod_service",
                n -> IcapServiceConfig.parse(n, map.location() + " key 'icap_reqmod_service'", map.warnings(), baseDir));
        Optional<IcapServiceConfig> respmod = map.take("icap_respmod_service",
                n -> IcapServiceConfig.parse(n, map.location() + " key 'icap_respmod_service'", map.warnings(), baseDir));
        double applicationRatio = map.take("application_audit_ratio", Values::ratio).orElse(1.0);
        Optional<TlsStreamDumpConfig> dump = map.map("tls_stream_dump").map(TlsStreamDumpConfig::parse);
        ProtocolInspectPolicy h2 = policy(map, "h2_inspect_policy");
        if (h2.uses(ProtocolInspectPolicy.Action.BYPASS)) {
            map.warnings().add(map.location() + ": h2_inspect_policy 'bypass' is handled as 'intercept': g3k speaks "
                    + "HTTP/1.1 to the target of decrypted HTTP/2, so it cannot pass HTTP/2 on as it is");
        }
        var config = new AuditorConfig(name, generator, client, ratio, reqmod, respmod, applicationRatio, dump, h2,
                policy(map, "websocket_inspect_policy"), policy(map, "smtp_inspect_policy"),
                policy(map, "imap_inspect_policy"));
        map.ignoreWithWarning("protocol_inspection", "server_tcp_portmap", "client_tcp_portmap", "tls_ticketer",
                "tls_interception_server", "log_uri_max_chars", "h1_interception", "h2_interception",
                "smtp_interception", "imap_interception", "stream_detour_service");
        map.finish();
        return config;
    }

    private static ProtocolInspectPolicy policy(YamlMap map, String key) {
        return map.take(key, ProtocolInspectPolicy::parse).orElse(ProtocolInspectPolicy.INTERCEPT);
    }
}
