package io.g3k.dataplane.resolve;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.resolver.HickoryResolverConfig;
import io.g3k.config.resolver.HickoryResolverConfig.Encryption;
import io.g3k.dataplane.stat.Stats;
import io.g3k.dataplane.tls.TlsClientContexts;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/**
 * {@code hickory}: DNS over TLS (RFC 7858: length-prefixed messages over a verified TLS connection) or over HTTPS
 * (RFC 8484: POST application/dns-message, HTTP/2), or plain DNS. Servers are tried in order, {@code each_tries}
 * rounds; each exchange runs on the resolver's own threads, never an event loop.
 */
public final class HickoryResolver extends CachingResolver {
    private final HickoryResolverConfig config;
    private final SSLContext tls;
    private final HttpClient https;
    private final ExtendedResolver plain;

    public HickoryResolver(HickoryResolverConfig config, Stats stats) {
        super(config.name(), config.cache(), stats);
        this.config = config;
        this.tls = config.encryption() == Encryption.NONE ? null
                : TlsClientContexts.jdk(config.tlsClient(), "resolver '" + config.name() + "'");
        this.https = config.encryption() == Encryption.DOH ? HttpClient.newBuilder().sslContext(tls)
                .sslParameters(TlsClientContexts.jdkParameters(config.tlsClient(), tls.getDefaultSSLParameters()))
                .version(HttpClient.Version.HTTP_2).connectTimeout(config.eachTimeout()).executor(executor).build() : null;
        if (config.encryption() == Encryption.NONE) {
            plain = new ExtendedResolver(config.servers().stream().map(s -> {
                SimpleResolver r = new SimpleResolver(new InetSocketAddress(s.ip().orElseThrow(), s.port()));
                r.setTimeout(config.eachTimeout());
                return (org.xbill.DNS.Resolver) r;
            }).toList());
            plain.setRetries(config.eachTries());
        } else {
            plain = null;
        }
    }

    @Override
    protected CompletableFuture<Message> exchange(Message query) {
        if (plain != null) {
            return plain.sendAsync(query).toCompletableFuture();
        }
        return CompletableFuture.supplyAsync(() -> {
            IOException last = null;
            for (int round = 0; round < config.eachTries(); round++) {
                for (UpstreamAddr server : config.servers()) {
                    try {
                        return config.encryption() == Encryption.DOT ? overTls(server, query) : overHttps(server, query);
                    } catch (IOException e) {
                        last = e;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CompletionException(e);
                    }
                }
            }
            throw new CompletionException(last);
        }, executor);
    }

    /** DoH URLs name the server by {@code tls_name} when given (it must resolve to the server), else by its IP. */
    private String verifyName(UpstreamAddr server) {
        return config.tlsName().orElse(server.host());
    }

    private Message overTls(UpstreamAddr server, Message query) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            int timeout = (int) config.eachTimeout().toMillis();
            socket.connect(new InetSocketAddress(server.ip().orElseThrow(), server.port()), timeout);
            socket.setSoTimeout(timeout);
            SSLParameters params = socket.getSSLParameters();
            if (config.tlsName().isPresent()) {
                params.setServerNames(List.of(new javax.net.ssl.SNIHostName(config.tlsName().get())));
            }
            socket.setSSLParameters(TlsClientContexts.jdkParameters(config.tlsClient(), params));
            byte[] wire = query.toWire();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return new Message(answer);
        }
    }

    private Message overHttps(UpstreamAddr server, Message query) throws IOException, InterruptedException {
        String host = verifyName(server);
        URI uri = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port()
                + "/dns-query");
        HttpResponse<byte[]> response = https.send(HttpRequest.newBuilder(uri).timeout(config.eachTimeout())
                .header("content-type", "application/dns-message").header("accept", "application/dns-message")
                .POST(HttpRequest.BodyPublishers.ofByteArray(query.toWire())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("DoH server answered HTTP " + response.statusCode());
        }
        return new Message(response.body());
    }
}
