package io.g3k.dataplane.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.g3k.config.ConfigException;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.runtime.Controller;
import io.g3k.dataplane.runtime.Daemon;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Routes control calls. Reload and push run off the event loop (they read files and bind sockets). Paths:
 * {@code GET /healthz}, {@code GET /metrics} (Prometheus; both open without the token), {@code GET /version}, {@code GET /list/{servers|escapers|resolvers|user-groups}},
 * {@code GET /servers/<name>/status}, {@code POST /reload} (also {@code /reload/<kind>/<name>}, which reloads
 * everything and keeps unchanged objects), {@code PUT /config}, {@code POST /offline},
 * {@code GET /resolvers/<name>/query?domain=..}, {@code GET /user-groups/<name>/static-users|dynamic-users},
 * {@code POST /user-groups/<name>/publish} (a JSON list of users), {@code POST /escapers/<name>/publish}.
 */
final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Controller controller;
    private final Optional<byte[]> token;

    ControlHandler(Controller controller, Optional<String> token) {
        this.controller = controller;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        List<String> path = List.of(uri.path().replaceAll("^/+|/+$", "").split("/"));
        HttpMethod method = request.method();
        boolean open = path.getFirst().equals("healthz") || path.getFirst().equals("metrics");
        if (!open && !authorized(request)) {
            reply(ctx, HttpResponseStatus.UNAUTHORIZED, Map.of("error", "missing or wrong bearer token"));
            return;
        }
        Daemon daemon = controller.daemon();
        String first = path.getFirst();
        switch (first) {
            case "healthz" -> reply(ctx, controller.isOffline() ? HttpResponseStatus.SERVICE_UNAVAILABLE
                    : HttpResponseStatus.OK, Map.of("status", controller.isOffline() ? "offline" : "online"));
            case "metrics" -> metrics(ctx, daemon);
            case "version" -> reply(ctx, HttpResponseStatus.OK, Map.of("version", version(),
                    "pid", ProcessHandle.current().pid()));
            case "list" -> list(ctx, daemon, path);
            case "servers" -> serverStatus(ctx, daemon, path);
            case "reload" -> expect(ctx, method, HttpMethod.POST, () -> background(ctx, controller::reload));
            case "config" -> expect(ctx, method, HttpMethod.PUT, () -> {
                String yaml = request.content().toString(StandardCharsets.UTF_8);
                background(ctx, () -> controller.push(yaml));
            });
            case "offline" -> expect(ctx, method, HttpMethod.POST, () -> {
                controller.offline();
                reply(ctx, HttpResponseStatus.OK, Map.of("status", "offline", "alive_tasks", daemon.aliveTasks()));
            });
            case "resolvers" -> query(ctx, daemon, path, uri);
            case "user-groups" -> userGroup(ctx, daemon, path, method, request);
            case "escapers" -> publish(ctx, daemon, path, method, request);
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "no such control call: " + uri.path()));
        }
    }

    private static void metrics(ChannelHandlerContext ctx, Daemon daemon) {
        byte[] body;
        try {
            body = daemon.prometheus().scrape();
        } catch (java.io.IOException e) {
            reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, Map.of("error", e.getMessage()));
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, daemon.prometheus().contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void list(ChannelHandlerContext ctx, Daemon daemon, List<String> path) {
        String kind = path.size() > 1 ? path.get(1) : "";
        List<String> names = switch (kind) {
            case "servers", "server" -> daemon.serverNames();
            case "escapers", "escaper" -> daemon.escaperNames();
            case "resolvers", "resolver" -> daemon.resolverNames();
            case "user-groups", "user-group", "user_groups" -> daemon.userGroupNames();
            case "auditors", "auditor" -> daemon.auditorNames();
            default -> null;
        };
        if (names == null) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "list servers|escapers|resolvers|user-groups|auditors"));
        } else {
            reply(ctx, HttpResponseStatus.OK, names);
        }
    }

    private void serverStatus(ChannelHandlerContext ctx, Daemon daemon, List<String> path) {
        if (path.size() != 3 || !path.get(2).equals("status") || daemon.server(path.get(1)).isEmpty()) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "no such server"));
            return;
        }
        var server = daemon.server(path.get(1)).get();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("name", server.name());
        status.put("online", server.isListening());
        status.put("listen", server.boundAddresses().stream().map(Object::toString).toList());
        status.put("alive_tasks_process", daemon.aliveTasks());
        reply(ctx, HttpResponseStatus.OK, status);
    }

    /** {@code POST /escapers/<name>/publish}: bind IPs of a direct_float, peers of a proxy_float (JSON). */
    private void publish(ChannelHandlerContext ctx, Daemon daemon, List<String> path, HttpMethod method,
                         FullHttpRequest request) {
        var escaper = path.size() == 3 && path.get(2).equals("publish") ? daemon.escaper(path.get(1))
                : Optional.<io.g3k.dataplane.escape.Escaper>empty();
        if (escaper.isEmpty()) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "use POST /escapers/<name>/publish"));
            return;
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        expect(ctx, method, HttpMethod.POST, () -> background(ctx, () -> escaper.get().publish(body)));
    }

    /** {@code GET /user-groups/<name>/static-users|dynamic-users}, {@code POST /user-groups/<name>/publish}. */
    private void userGroup(ChannelHandlerContext ctx, Daemon daemon, List<String> path, HttpMethod method,
                           FullHttpRequest request) {
        var group = path.size() == 3 ? daemon.userGroup(path.get(1)) : Optional.<io.g3k.dataplane.auth.UserGroup>empty();
        if (group.isEmpty()) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "no such user group"));
            return;
        }
        switch (path.get(2)) {
            case "static-users" -> reply(ctx, HttpResponseStatus.OK, group.get().staticUserNames());
            case "dynamic-users" -> reply(ctx, HttpResponseStatus.OK, group.get().dynamicUserNames());
            case "publish" -> expect(ctx, method, HttpMethod.POST, () -> {
                String body = request.content().toString(StandardCharsets.UTF_8);
                background(ctx, () -> group.get().publish(body, "published users") + " dynamic users");
            });
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "static-users, dynamic-users or publish"));
        }
    }

    private void query(ChannelHandlerContext ctx, Daemon daemon, List<String> path, QueryStringDecoder uri) {
        Optional<Resolver> resolver = path.size() == 3 && path.get(2).equals("query")
                ? daemon.resolver(path.get(1)) : Optional.empty();
        List<String> domain = uri.parameters().getOrDefault("domain", List.of());
        if (resolver.isEmpty() || domain.size() != 1) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "use /resolvers/<name>/query?domain=<domain>"));
            return;
        }
        var v4 = resolver.get().query(domain.getFirst(), Resolver.Family.IPV4);
        var v6 = resolver.get().query(domain.getFirst(), Resolver.Family.IPV6);
        CompletableFuture.allOf(v4.exceptionally(e -> List.of()), v6.exceptionally(e -> List.of()))
                .whenComplete((r, e) -> ctx.executor().execute(() -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("ipv4", addresses(v4));
                    out.put("ipv6", addresses(v6));
                    reply(ctx, HttpResponseStatus.OK, out);
                }));
    }

    private static Object addresses(CompletableFuture<List<InetAddress>> f) {
        try {
            return f.join().stream().map(InetAddress::getHostAddress).toList();
        } catch (RuntimeException e) {
            return Map.of("error", String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
        }
    }

    private interface Action {
        String run() throws Exception;
    }

    /** Runs a reload or push on its own thread and answers when it is done: 200 with the summary, or 400 why. */
    private void background(ChannelHandlerContext ctx, Action action) {
        Thread.ofVirtual().start(() -> {
            HttpResponseStatus status;
            Map<String, Object> body;
            try {
                body = Map.of("result", action.run());
                status = HttpResponseStatus.OK;
            } catch (ConfigException | IllegalStateException | IllegalArgumentException | java.io.IOException e) {
                body = Map.of("error", String.valueOf(e.getMessage()));
                status = HttpResponseStatus.BAD_REQUEST;
            } catch (Exception e) {
                body = Map.of("error", e.toString());
                status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            }
            HttpResponseStatus s = status;
            Map<String, Object> b = body;
            ctx.executor().execute(() -> reply(ctx, s, b));
        });
    }

    private void expect(ChannelHandlerContext ctx, HttpMethod actual, HttpMethod wanted, Runnable action) {
        if (actual.equals(wanted)) {
            action.run();
        } else {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, Map.of("error", "use " + wanted));
        }
    }

    private boolean authorized(FullHttpRequest request) {
        if (token.isEmpty()) {
            return true;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        byte[] given = header.startsWith("Bearer ") ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        return MessageDigest.isEqual(given, token.get());
    }

    static String version() {
        String v = ControlHandler.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, Object body) {
        byte[] json;
        try {
            json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (Exception e) {
            json = ("{\"error\": \"" + e.getMessage() + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(json, "\n".getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
