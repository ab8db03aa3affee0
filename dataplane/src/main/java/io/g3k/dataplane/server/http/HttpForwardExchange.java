package io.g3k.dataplane.server.http;

import io.g3k.config.audit.ProtocolInspectPolicy;
import io.g3k.dataplane.audit.Auditor;
import io.g3k.dataplane.audit.icap.IcapClient;
import io.g3k.dataplane.audit.icap.IcapOutcome;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.directfixed.DirectFixedEscaper;
import io.g3k.dataplane.escape.HttpProxyForward;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.task.IdleWatch;
import io.g3k.dataplane.task.Task;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * HTTP forward and https forward: send the request in origin-form (hop-by-hop headers removed) over a fresh or
 * reused upstream connection, and stream the response back. Body bytes flow with back-pressure both ways. A next
 * HTTP proxy that takes requests as they are gets the absolute form instead, with the escaper's credentials;
 * only such a proxy serves ftp:// requests. With the server's auditor's ICAP services the request is adapted whole
 * (REQMOD) before anything goes upstream, and the response whole (RESPMOD) before anything goes to the client.
 */
final class HttpForwardExchange implements HttpExchange {
    private static final byte[] END_OF_HEAD = ascii("\r\n");
    private static final byte[] KEEP_ALIVE_END_OF_HEAD = ascii("connection: keep-alive\r\n\r\n");
    private static final byte[] CLOSE_END_OF_HEAD = ascii("connection: close\r\n\r\n");
    private final ChannelHandlerContext ctx;
    private final HttpFrontHandler handler;
    private final HttpFrontSettings config;
    private final ServerContext context;
    private final HttpRoute.Target target;
    private final UserAdmission.Ticket ticket;
    private HttpRequest request;
    private final String requestUri;
    private final boolean clientKeepAlive;
    private final Task task;
    private final Auditor.Adaptation adaptation;
    /**
     * An HTTP/1 request that says it has no body goes upstream whole, in one write, and the decoder's empty end of it
     * is dropped. (An HTTP/2 stream's request may have a body that no header announced.)
     */
    private final boolean bodyless;
    private CompositeByteBuf requestBody;
    private HttpResponse heldResponse;
    /** A final response head read as bytes, held until its body's first piece so that a small response is one write. */
    private ByteBuf heldHead;
    private CompositeByteBuf responseBody;
    private final List<HttpContent> pendingBody = new ArrayList<>();
    private HttpForwardConnection upstream;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean interim;
    private boolean keepAlive;
    private boolean upstreamReusable;
    private boolean finished;
    private boolean responseEnded;
    /** The task's idle span, once the response has begun (zero: no idle check); and what runs when it passes. */
    private Duration bodyIdle;
    private Runnable onIdle;
    /** The protocol the client asked to switch to ({@code Upgrade}, say websocket), if it did; null otherwise. */
    private final String upgradeTo;
    private boolean upgrading;

    HttpForwardExchange(ChannelHandlerContext ctx, HttpFrontHandler handler, HttpFrontSettings config,
                        ServerContext context, HttpRoute.Target target, HttpRequest request,
                        UserAdmission.Ticket ticket, String taskType) {
        this.ctx = ctx;
        this.handler = handler;
        this.config = config;
        this.context = context;
        this.target = target;
        this.request = request;
        this.requestUri = request.uri();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.upgradeTo = upgradeRequested(request);
        this.task = context.tasks().start(config.server(), taskType,
                ClientAddress.of(ctx.channel())).upstream(target.addr(), context.escaper().name())
                .uri(requestUri, ticket.logUriMaxChars(config.logUriMaxChars()));
        this.ticket = ticket;
        ticket.own(task);
        this.adaptation = context.auditor().map(a -> a.adaptation(ticket.audit())).orElse(Auditor.Adaptation.NONE);
        this.bodyless = adaptation.reqmod().isEmpty() && handler.rawOut(ctx) != null
                && !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && HttpUtil.getContentLength(request, 0L) == 0;
    }

    @Override
    public void start() {
        config.upstreamHeaders().apply(request.headers(), ctx.channel());
        if ("websocket".equalsIgnoreCase(upgradeTo) && context.auditor()
                .map(a -> a.websocket(target.addr()) == ProtocolInspectPolicy.Action.BLOCK).orElse(false)) {
            fail(HttpResponseStatus.FORBIDDEN, "WebSocket to " + target.addr() + " is blocked by the auditor's "
                    + "websocket_inspect_policy", "Blocked");
            return;
        }
        if (target.scheme().equals("ftp") && !context.escaper().mayForwardAsIs("ftp")) {
            failFtpLocally();
            return;
        }
        if (adaptation.reqmod().isPresent()) {
            requestBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            return; // the request goes to REQMOD once its body is in (see content)
        }
        startUpstream();
    }

    private void startUpstream() {
        HttpForwardConnection existing = handler.upstream();
        if (existing != null && existing.reusableFor(target)) {
            task.ready(Optional.of(true));
            send(existing);
            return;
        }
        // responses as raw bytes unless something needs them as objects: RESPMOD, or an HTTP/2 client
        boolean raw = adaptation.respmod().isEmpty() && handler.rawOut(ctx) != null;
        // connections serve other clients only where nothing about this one chose, shaped or announced them
        boolean shareable = config.upstreamPool() != null && ticket.user().isEmpty()
                && context.escaper() instanceof DirectFixedEscaper direct && !direct.sendsProxyProtocol();
        HttpForwardConnection pooled = shareable ? config.upstreamPool().take(ctx.channel().eventLoop(), target, raw)
                : null;
        if (pooled != null) {
            handler.upstream(pooled);
            task.ready(Optional.of(true));
            send(pooled);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        // the ticket's target is the user's resolve redirection of the requested one
        context.escaper().tcpConnect(ticket.target(), ctx.channel().eventLoop(),
                ticket.hints(ctx.channel()).forHttpForward(target.scheme())).addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                failBeforeResponse(EscapeException.of(f.cause()));
                return;
            }
            if (finished) {
                f.getNow().close();
                return;
            }
            if (target.scheme().equals("ftp") && HttpProxyForward.of(f.getNow()).isEmpty()) {
                f.getNow().close();
                failFtpLocally();
                return;
            }
            HttpForwardConnection.open(f.getNow(), target, config.rspHeaderMaxSize(), config.bodyLineMaxLength(), raw,
                    context.tasks().stats().escaper(context.escaper().name())).addListener(
                    (Future<HttpForwardConnection> c) -> {
                        if (!c.isSuccess()) {
                            failBeforeResponse(EscapeException.of(c.cause()));
                        } else if (finished) {
                            c.getNow().close();
                        } else {
                            c.getNow().shareable(shareable);
                            handler.upstream(c.getNow());
                            task.ready(Optional.of(false));
                            send(c.getNow());
                        }
                    });
        });
    }

    /** g3k has no FTP client: ftp:// requests go only to a next HTTP proxy that takes them as they are. */
    private void failFtpLocally() {
        fail(HttpResponseStatus.NOT_IMPLEMENTED, "ftp:// requests are served only through a next HTTP proxy "
                + "with http_forward_capability.forward_ftp", "Unsupported");
    }

    private void send(HttpForwardConnection connection) {
        upstream = connection;
        // an upgrade needs the response as bytes: then the connection can become a relay after the 101
        upgrading = upgradeTo != null && connection.raw();
        connection.attach(this, request.method(), upgrading);
        Channel channel = connection.channel();
        // no listener on these writes: a failed one closes the upstream connection (exceptionCaught)
        channel.write(outbound(), channel.voidPromise());
        pendingBody.forEach(c -> channel.write(c, channel.voidPromise()));
        pendingBody.clear();
        channel.flush();
        handler.deadline().arm(ticket.rspHeaderRecvTimeout(config.rspHeaderRecvTimeout()), () -> {
            connection.close();
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "no response header from " + target.addr() + " in time",
                    "UpstreamTimeout");
        });
        if (!requestDone) {
            handler.clientReads(ctx, channel.isWritable());
        }
    }

    /** The client's request made ready for upstream, in place: copying every header per request costs. */
    private HttpRequest outbound() {
        var viaProxy = upstream.viaProxy();
        String uri = viaProxy.isPresent() ? target.absoluteForm() : target.originForm();
        HttpRequest out = bodyless ? new DefaultFullHttpRequest(request.protocolVersion(), request.method(), uri,
                Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE) : request.setUri(uri);
        HopByHop.stripForUpstream(out.headers());
        if (upgrading) { // hop-by-hop, but asked of the next hop: passed on as asked
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        viaProxy.flatMap(HttpProxyForward::proxyAuthorization)
                .ifPresent(auth -> out.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION, auth));
        config.upstreamHeaders().host(out.headers(), target.scheme(), target.addr());
        return out;
    }

    @Override
    public void content(HttpContent content) {
        if (requestBody != null) {
            collectRequest(content);
            return;
        }
        requestDone = content instanceof LastHttpContent;
        if (bodyless && requestDone && !content.content().isReadable()) {
            content.release(); // the request went (or goes) upstream whole
            return;
        }
        task.out(content.content().readableBytes());
        if (responseStarted) {
            bodyMoved(); // an upload still under way keeps the exchange alive too
        }
        if (upstream == null) {
            pendingBody.add(content);
            return;
        }
        Channel channel = upstream.channel();
        channel.writeAndFlush(content, channel.voidPromise());
        if (!channel.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void collectRequest(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (requestBody.readableBytes() + (long) content.content().readableBytes() > IcapClient.MAX_BODY) {
            content.release();
            fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large for ICAP adaptation",
                    "IcapBodyTooLarge");
            return;
        }
        task.out(content.content().readableBytes());
        requestBody.addComponent(true, content.content());
        if (!last) {
            return;
        }
        CompositeByteBuf body = requestBody;
        requestBody = null;
        IcapClient reqmod = adaptation.reqmod().orElseThrow();
        reqmod.reqmod(ctx.channel().eventLoop(), icapView(), target.absoluteForm(), body.retainedDuplicate())
                .addListener((Future<IcapOutcome> f) -> afterReqmod(f, body, reqmod.bypass()));
    }

    /** Goes on with the request as REQMOD left it, or answers with what the service said instead. */
    private void afterReqmod(Future<IcapOutcome> f, CompositeByteBuf body, boolean bypass) {
        IcapOutcome outcome = outcomeOf(f, body, bypass, "REQMOD");
        if (outcome == null) {
            return;
        }
        switch (outcome) {
            case IcapOutcome.Unmodified u -> pendingBody.add(new DefaultLastHttpContent(body));
            case IcapOutcome.ModifiedRequest m -> {
                body.release();
                HttpRequest adapted = new DefaultHttpRequest(m.request().protocolVersion(), m.request().method(),
                        requestUri, m.request().headers());
                request = adapted;
                pendingBody.add(new DefaultLastHttpContent(m.request().content()));
            }
            case IcapOutcome.Respond r -> {
                body.release();
                finished = true;
                task.finish("IcapBlocked: " + r.response().status());
                r.response().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                handler.reply(ctx, r.response());
                return;
            }
        }
        requestDone = true;
        startUpstream();
    }

    /** The request as the ICAP service sees it: as it would go upstream, without the client's proxy credentials. */
    private HttpRequest icapView() {
        HttpRequest view = new DefaultHttpRequest(request.protocolVersion(), request.method(), requestUri);
        view.headers().set(request.headers());
        HopByHop.stripForUpstream(view.headers());
        return view;
    }

    /**
     * What an ICAP answer leaves to act on (a failed service counts as "unmodified" with {@code bypass}); null after
     * cleaning up when the exchange already ended, or when the service failed: then the client gets a 502.
     */
    private IcapOutcome outcomeOf(Future<IcapOutcome> f, CompositeByteBuf body, boolean bypass, String method) {
        IcapOutcome outcome = f.isSuccess() ? f.getNow() : bypass ? new IcapOutcome.Unmodified() : null;
        if (!finished && outcome != null) {
            return outcome;
        }
        body.release();
        release(outcome);
        if (outcome == null) {
            if (upstream != null) {
                upstream.close();
            }
            fail(HttpResponseStatus.BAD_GATEWAY, "ICAP " + method + " failed: " + f.cause().getMessage(), "IcapFailed");
        }
        return null;
    }

    private static void release(IcapOutcome outcome) {
        switch (outcome) {
            case IcapOutcome.ModifiedRequest m -> m.request().release();
            case IcapOutcome.Respond r -> r.response().release();
            case null, default -> { }
        }
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (!requestDone) {
            handler.clientReads(ctx, writable);
        }
    }

    void onResponse(HttpResponse response) {
        if (!response.decoderResult().isSuccess()) {
            onInvalidResponse(String.valueOf(response.decoderResult().cause()));
            return;
        }
        HttpResponseStatus status = response.status();
        boolean delimited = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || status.code() == 204 || status.code() == 304 || HttpMethod.HEAD.equals(request.method());
        boolean isFinal = responseHead(status.code(), delimited, HttpUtil.isKeepAlive(response));
        if (finished) {
            return;
        }
        HopByHop.strip(response.headers());
        if (!isFinal) {
            ctx.write(response, ctx.voidPromise());
            return;
        }
        response.headers().set(HttpHeaderNames.CONNECTION,
                keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        CustomResponseHeaders.addTo(response.headers(), config.customHeaders(), upstream.channel());
        if (adaptation.respmod().isPresent()) {
            heldResponse = response; // goes to RESPMOD with its body first
            responseBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            return;
        }
        ctx.write(response, ctx.voidPromise());
    }

    /** A response head the raw decoder passed on: its end-to-end header lines, to which our Connection is added. */
    void onRawHead(RawResponseDecoder.Head head) {
        ByteBuf bytes = head.bytes();
        if (upgrading && head.status() == 101) {
            switchProtocols(bytes);
            return;
        }
        boolean isFinal = responseHead(head.status(), head.delimited(), head.keepAlive());
        if (finished) {
            bytes.release();
            return;
        }
        if (isFinal) {
            CustomResponseHeaders.appendTo(bytes, config.customHeaders(), upstream.channel());
        }
        bytes.writeBytes(!isFinal ? END_OF_HEAD : keepAlive ? KEEP_ALIVE_END_OF_HEAD : CLOSE_END_OF_HEAD);
        if (isFinal) {
            heldHead = bytes; // its body follows in this read (it always ends with a Body), or at the read's end
        } else {
            handler.rawOut(ctx).write(bytes, ctx.voidPromise());
        }
    }

    /**
     * The held head goes out, with the body piece when it ends a small response: one send for the whole response
     * instead of a writev of two buffers, and one write through the pipeline instead of two.
     */
    private ByteBuf withHeldHead(ByteBuf piece, boolean last) {
        ByteBuf head = heldHead;
        if (head == null) {
            return piece;
        }
        if (last && piece.readableBytes() <= head.maxFastWritableBytes()) {
            heldHead = null;
            head.writeBytes(piece);
            piece.release();
            return head;
        }
        writeHeldHead();
        return piece;
    }

    /** The held head on to the client alone, ahead of whatever follows it. */
    private void writeHeldHead() {
        handler.rawOut(ctx).write(heldHead, ctx.voidPromise());
        heldHead = null;
    }

    /**
     * The upstream switched protocols: the 101 goes to the client, then both connections are a byte relay that ends
     * the task (HTTP's handlers leave both pipelines; bytes either decoder still holds flow into the relay).
     */
    private void switchProtocols(ByteBuf head) {
        cancelDeadline();
        finished = true;
        Channel tunnel = upstream.channel();
        upstream.upgraded();
        if (!handler.takeOverUpgraded(ctx)) {
            head.release();
            tunnel.close();
            task.finish("ClientInvalid");
            return;
        }
        CustomResponseHeaders.appendTo(head, config.customHeaders(), tunnel);
        head.writeCharSequence("connection: upgrade\r\nupgrade: " + upgradeTo + "\r\n\r\n",
                java.nio.charset.StandardCharsets.US_ASCII);
        handler.rawOut(ctx).writeAndFlush(head).addListener(written -> {
            if (!written.isSuccess()) {
                tunnel.close();
                ctx.close();
                task.finish("ClientClosed");
                return;
            }
            Relay.relaySwitched(ctx.channel(), tunnel, task);
        });
    }

    /**
     * The protocol named by {@code Upgrade} when {@code Connection} lists upgrade (HTTP/1.1 only), else null. Not
     * h2c: its HTTP2-Settings header is hop-by-hop and stays here, so the client keeps HTTP/1.1 as before.
     */
    private static String upgradeRequested(HttpRequest request) {
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || upgrade.isBlank() || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                || !request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || upgrade.strip().regionMatches(true, 0, "h2c", 0, 3)) {
            return null;
        }
        return upgrade.strip();
    }

    void onRawBody(RawResponseDecoder.Body body) {
        bodyMoved();
        task.in(body.bytes().readableBytes());
        passBody(handler.rawOut(ctx), withHeldHead(body.bytes(), body.last()), body.last());
    }

    /** The upstream's response could not be read: 502, unless the client already has part of it. */
    void onInvalidResponse(String why) {
        upstream.close();
        if (responseStarted) {
            onUpstreamClosed();
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY, "invalid response from " + target.addr() + ": " + why,
                    "UpstreamInvalid");
        }
    }

    /**
     * What a response head decides, however it was read: false for an interim (1xx) response, which the client
     * gets as it is; a protocol upgrade fails the exchange. For a final one, whether the client connection stays.
     */
    private boolean responseHead(int status, boolean delimited, boolean upstreamKeepAlive) {
        bodyMoved();
        if (status / 100 == 1) {
            if (status == 101) {
                upstream.close();
                fail(HttpResponseStatus.BAD_GATEWAY, "protocol upgrade is not supported", "UpstreamInvalid");
                return false;
            }
            interim = true;
            return false;
        }
        interim = false;
        responseStarted = true;
        keepAlive = clientKeepAlive && delimited;
        upstreamReusable = upstreamKeepAlive;
        return true;
    }

    void onContent(HttpContent content) {
        if (interim) {
            // the empty end of a 1xx response
            interim = !(content instanceof LastHttpContent);
            content.release();
            return;
        }
        bodyMoved();
        task.in(content.content().readableBytes());
        boolean last = content instanceof LastHttpContent;
        if (responseBody != null) {
            collectResponse(content, last);
            return;
        }
        passBody(ctx, content, last);
    }

    /** A piece of the response body on to the client, with back-pressure on the upstream. */
    private void passBody(ChannelHandlerContext out, Object piece, boolean last) {
        if (!last) {
            out.write(piece, ctx.voidPromise());
            if (!ctx.channel().isWritable()) {
                upstream.channel().config().setAutoRead(false);
            }
            return;
        }
        finishResponse(out.writeAndFlush(piece));
    }

    /** The last write of the response is under way: when it is out, the exchange is over. */
    private void finishResponse(io.netty.channel.ChannelFuture lastWrite) {
        boolean clientKeepAlive = keepAlive && requestDone;
        responseEnded = true;
        lastWrite.addListener(f -> {
            finished = true;
            task.finish(f.isSuccess() ? "Completed" : "ClientClosed");
            upstream.detach(upstreamReusable && requestDone, ticket.upstreamKeepalive(config.upstreamKeepalive()));
            handler.exchangeDone(ctx, clientKeepAlive && f.isSuccess());
        });
    }

    private void collectResponse(HttpContent content, boolean last) {
        if (responseBody.readableBytes() + (long) content.content().readableBytes() > IcapClient.MAX_BODY) {
            content.release();
            upstream.close();
            fail(HttpResponseStatus.BAD_GATEWAY, "response body too large for ICAP adaptation", "IcapBodyTooLarge");
            return;
        }
        responseBody.addComponent(true, content.content());
        if (!last) {
            return;
        }
        CompositeByteBuf body = responseBody;
        responseBody = null;
        IcapClient respmod = adaptation.respmod().orElseThrow();
        respmod.respmod(ctx.channel().eventLoop(), icapView(), target.absoluteForm(), heldResponse,
                        body.retainedDuplicate())
                .addListener((Future<IcapOutcome> f) -> afterRespmod(f, body, respmod.bypass()));
    }

    /** Sends the response as RESPMOD left it or made it; the connection header stays ours. */
    private void afterRespmod(Future<IcapOutcome> f, CompositeByteBuf body, boolean bypass) {
        IcapOutcome outcome = outcomeOf(f, body, bypass, "RESPMOD");
        if (outcome == null) {
            return;
        }
        String connection = heldResponse.headers().get(HttpHeaderNames.CONNECTION);
        switch (outcome) {
            case IcapOutcome.Unmodified u -> {
                ctx.write(heldResponse, ctx.voidPromise());
                finishResponse(ctx.writeAndFlush(new DefaultLastHttpContent(body)));
            }
            case IcapOutcome.Respond r -> {
                body.release();
                HopByHop.strip(r.response().headers());
                r.response().headers().set(HttpHeaderNames.CONNECTION, connection);
                CustomResponseHeaders.addTo(r.response().headers(), config.customHeaders(), upstream.channel());
                finishResponse(ctx.writeAndFlush(r.response()));
            }
            case IcapOutcome.ModifiedRequest m -> {
                body.release();
                m.request().release();
                upstream.close();
                fail(HttpResponseStatus.BAD_GATEWAY, "ICAP RESPMOD answered with a request", "IcapFailed");
            }
        }
    }

    void flushClient() {
        if (heldHead != null) { // the body has not come in this read: the head goes on alone
            writeHeldHead();
        }
        ctx.flush();
    }

    @Override
    public void clientWritabilityChanged(boolean writable) {
        if (upstream != null && responseStarted) {
            upstream.channel().config().setAutoRead(writable);
        }
    }

    void onUpstreamClosed() {
        if (finished || responseEnded) {
            return; // a close-delimited response ends with the close; its last write is under way
        }
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY, "upstream " + target.addr() + " closed the connection",
                    "UpstreamClosed");
        } else {
            finished = true;
            releaseHeld();
            task.finish("UpstreamClosed");
            ctx.close();
        }
    }

    @Override
    public void clientClosed() {
        if (!finished) {
            finished = true;
            releaseHeld();
            pendingBody.forEach(HttpContent::release);
            pendingBody.clear();
            task.finish("ClientClosed");
            cancelDeadline();
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    private void failBeforeResponse(EscapeException e) {
        fail(HttpErrorReply.statusOf(e), e.getMessage(), e.reason().toString());
    }

    private void fail(HttpResponseStatus status, String message, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        releaseHeld();
        cancelDeadline();
        pendingBody.forEach(HttpContent::release);
        pendingBody.clear();
        task.finish(reason + ": " + message);
        handler.fail(ctx, status, message);
    }

    /** Releases what the exchange holds back for the client or for ICAP: a held head, collected bodies. */
    private void releaseHeld() {
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
        for (CompositeByteBuf collected : new CompositeByteBuf[] {requestBody, responseBody}) {
            if (collected != null) {
                collected.release();
            }
        }
        requestBody = null;
        responseBody = null;
    }

    private void cancelDeadline() {
        handler.deadline().cancel();
    }

    /**
     * From the response head on, the exchange ends (reason Idle) once no byte of either body has come for the task's
     * idle span, as a tunnel does: a client that reads nothing more stops the upstream's reads too (back-pressure),
     * and would otherwise hold both connections for good. Each piece of a body moves the deadline on.
     */
    private void bodyMoved() {
        if (bodyIdle == null) {
            bodyIdle = IdleWatch.span(ctx.channel(), task);
            onIdle = () -> {
                if (!finished) {
                    task.finish("Idle");
                    ctx.close(); // clientClosed does the rest
                }
            };
        }
        if (bodyIdle.isZero()) {
            cancelDeadline();
        } else {
            handler.deadline().arm(bodyIdle, onIdle);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Hop-by-hop headers (RFC 9110 7.6.1) and the ones a proxy adds for itself never travel on. */
    static final class HopByHop {
        private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
        private static final List<AsciiString> ALWAYS = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
                PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
                HttpHeaderNames.UPGRADE);

        private HopByHop() {}

        /** A client request's headers as they travel on: no hop-by-hop ones, no credentials meant for us. */
        static void stripForUpstream(HttpHeaders headers) {
            strip(headers);
            headers.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        }

        static void strip(HttpHeaders headers) {
            // one walk over the few headers a message has, instead of a lookup per hop-by-hop name
            List<CharSequence> found = null;
            for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
                CharSequence name = it.next().getKey();
                if (isAlways(name)) {
                    found = found == null ? new ArrayList<>(2) : found;
                    found.add(name);
                }
            }
            if (found == null) {
                return; // not even a Connection header to name others
            }
            for (String listed : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : listed.split(",")) {
                    String name = token.trim();
                    // "keep-alive" and "close" are the usual options, not extra headers to drop
                    if (!name.isEmpty() && !name.equalsIgnoreCase("keep-alive") && !name.equalsIgnoreCase("close")
                            && !name.equalsIgnoreCase("transfer-encoding")) {
                        headers.remove(name);
                    }
                }
            }
            for (CharSequence name : found) {
                headers.remove(name);
            }
        }

        private static boolean isAlways(CharSequence name) {
            for (AsciiString hop : ALWAYS) {
                if (hop.contentEqualsIgnoreCase(name)) {
                    return true;
                }
            }
            return false;
        }
    }
}
