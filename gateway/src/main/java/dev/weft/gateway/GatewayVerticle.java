package dev.weft.gateway;

import dev.weft.gateway.abuse.RequestDeadline;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.gateway.http.ConversationsRoute;
import dev.weft.gateway.http.DemoRoutes;
import dev.weft.gateway.http.HistoryRoute;
import dev.weft.gateway.http.HandshakeCheck;
import dev.weft.gateway.ops.GatewayMetrics;
import dev.weft.gateway.ws.Compression;
import java.util.function.BooleanSupplier;
import dev.weft.gateway.ws.WebSocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** One event loop's share of the HTTP server; Vert.x spreads connections over the instances on one port. */
final class GatewayVerticle extends VerticleBase {

  private final GatewayConfig config;
  private final WebSocketEndpoint webSocket;
  private final HistoryRoute history;
  private final ConversationsRoute conversations;
  private HttpServer server;

  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final DemoRoutes demo;

  GatewayVerticle(GatewayConfig config, WebSocketEndpoint webSocket, HistoryRoute history, ConversationsRoute conversations,
      GatewayMetrics metrics, BooleanSupplier ready, DemoRoutes demo) {
    this.demo = demo;
    this.metrics = metrics;
    this.ready = ready;
    this.conversations = conversations;
    this.config = config;
    this.webSocket = webSocket;
    this.history = history;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    RequestDeadline deadline = new RequestDeadline(vertx, config.abuse().requestTimeoutMs());
    router.route().handler(deadline::requestArrived);
    router.get("/v1/ws").handler(new HandshakeCheck(config.origins())).handler(webSocket);
    router.get("/v1/conversations/:conv/messages").handler(history);
    router.get("/v1/conversations").handler(conversations);
    // Probes are on the ops port too (the kubelet's); these stay for load balancers that health-check the port they
    // send clients to. /metrics is on the ops port only: nobody behind the load balancer reads it.
    router.get("/health/live").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")));
    // Ready: Kafka took a heartbeat lately and the gateway is not draining; a load balancer sends new clients only then.
    router.get("/health/ready").handler(ctx -> {
      boolean up = ready.getAsBoolean();
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
          .end(new io.vertx.core.json.JsonObject().put("status", up ? "UP" : "DOWN").put("draining", metrics.draining()).encode());
    });
    demo.mount(router);
    HttpServerOptions options = new HttpServerOptions()
        .setPort(config.httpPort())
        // HTTP/1.1 only (the WebSocket upgrade and JSON routes): h2c detection holds a new connection, unseen by any
        // deadline, until enough bytes arrive to tell HTTP/2 from HTTP/1.1 (see RequestDeadline).
        .setHttp2ClearTextEnabled(false)
        // Netty's own limit is the hard stop: past it the connection is dropped without a close
        // frame the client can read (1006). Up to twice the configured size, FrameHandler closes
        // with a proper 1009 instead, so a client learns why.
        .setMaxWebSocketFrameSize(2 * config.maxFrameBytes())
        .setMaxWebSocketMessageSize(2 * config.maxFrameBytes());
    // Neither limit above stops an inflater: the frame size is checked on the compressed bytes, the message size
    // once the frame is inflated. Vert.x offers compression by default and inflates without a limit, so 40 KiB
    // became 40 MiB. Off unless WEFT_WS_COMPRESSION=1; on, the same hard limit bounds what one frame may inflate to
    // before it is allocated (see Compression).
    Compression.configure(options, config.webSocketCompression());
    server = vertx.createHttpServer(options).requestHandler(router);
    io.vertx.core.Handler<io.vertx.core.http.HttpConnection> inflation = config.webSocketCompression()
        ? Compression.boundInflation(options, 2 * config.maxFrameBytes()) : conn -> { };
    server.connectionHandler(conn -> {
      deadline.connected(conn);
      inflation.handle(conn);
    });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
