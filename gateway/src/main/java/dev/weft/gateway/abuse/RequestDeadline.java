package dev.weft.gateway.abuse;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Closes a connection that does not deliver a request head within WEFT_HTTP_REQUEST_TIMEOUT_MS: of opening, or of the
 * end of its previous response while it is plain HTTP. A slowloris client (half a request line, then a byte now and
 * then) would otherwise hold a socket and a file descriptor for ever, since Vert.x has no such deadline of its own.
 *
 * <p>Why not {@code HttpServerOptions.setIdleTimeout}: that idle handler stays in the pipeline after the upgrade, so it
 * would also end quiet WebSockets, whose liveness is the ping/pong check's job (WEFT_IDLE_TIMEOUT_MS, close 4000),
 * and an idle timeout is reset by every byte, which a slowloris client sends. A deadline is not. Once a request asks
 * for an upgrade the deadline is off, unless the upgrade is refused (a 4xx ends the response and re-arms it).
 *
 * <p>Needs {@code HttpServerOptions.setHttp2ClearTextEnabled(false)}: with h2c on, Vert.x first gathers bytes to tell an
 * HTTP/2 preface from HTTP/1.1 and creates the connection (and calls the connection handler) only once it can, so a
 * client that sends half a request line is held, with no deadline, before this class ever sees it (Vert.x 5.0.7).
 *
 * <p>One instance per event loop (per GatewayVerticle): its connections, timers and map belong to that loop only.
 */
public final class RequestDeadline {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<HttpConnection, Long> timers = new HashMap<>();

  public RequestDeadline(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** For the server's connection handler: the clock starts as the connection is accepted. */
  public void connected(HttpConnection conn) {
    arm(conn);
  }

  /** The first route of the router: a request head arrived in time. */
  public void requestArrived(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection conn = request.connection();
    cancel(conn);
    boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
    ctx.response().endHandler(v -> {
      // A successful upgrade never reaches here with a 4xx; a refused one leaves a plain HTTP connection behind.
      if (!upgrade || ctx.response().getStatusCode() >= 400) {
        arm(conn);
      }
    });
    ctx.next();
  }

  private void arm(HttpConnection conn) {
    cancel(conn);
    long id = vertx.setTimer(timeoutMs, t -> {
      timers.remove(conn);
      conn.close();
    });
    timers.put(conn, id);
  }

  private void cancel(HttpConnection conn) {
    Long id = timers.remove(conn);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }
}
