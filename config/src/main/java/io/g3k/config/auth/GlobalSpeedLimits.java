package io.g3k.config.auth;

import io.g3k.config.GlobalSpeedLimit;
import io.g3k.config.YamlMap;
import java.util.Optional;

/**
 * A user's process-wide speed limits, all its connections together: {@code tcp_all_upload_speed_limit} (bytes its
 * TCP clients send), {@code tcp_all_download_speed_limit} (bytes they receive), and the {@code udp_all_*} pair for
 * UDP sessions' datagrams.
 */
public record GlobalSpeedLimits(Optional<GlobalSpeedLimit> tcpUpload, Optional<GlobalSpeedLimit> tcpDownload,
                                Optional<GlobalSpeedLimit> udpUpload, Optional<GlobalSpeedLimit> udpDownload) {
    public static final GlobalSpeedLimits NONE = new GlobalSpeedLimits(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    static GlobalSpeedLimits parse(YamlMap map) {
        return new GlobalSpeedLimits(map.take("tcp_all_upload_speed_limit", GlobalSpeedLimit::stream),
                map.take("tcp_all_download_speed_limit", GlobalSpeedLimit::stream),
                map.take("udp_all_upload_speed_limit", GlobalSpeedLimit::datagram),
                map.take("udp_all_download_speed_limit", GlobalSpeedLimit::datagram));
    }

    public boolean tcp() {
        return tcpUpload.isPresent() || tcpDownload.isPresent();
    }

    public boolean udp() {
        return udpUpload.isPresent() || udpDownload.isPresent();
    }
}
