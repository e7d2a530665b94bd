package dev.weft.gateway.http;

import dev.weft.gateway.config.OriginSettings;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the handshake itself before the token is even looked at: an upgrade from a browser page whose origin is not
 * allowed is refused, so a foreign page learns nothing; so is one in a draft of the protocol older than RFC 6455's
 * version 13, whose framing Weft does not test against (RFC 6455 section 4.4: 426 naming the version spoken).
 */
public final class HandshakeCheck implements Handler<RoutingContext> {

  private final OriginSettings settings;

  public HandshakeCheck(OriginSettings settings) {
    this.settings = settings;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String version = ctx.request().getHeader("Sec-WebSocket-Version");
    if (version != null && !version.trim().equals("13")) {
      ctx.response().putHeader("Sec-WebSocket-Version", "13");
      HttpErrors.send(ctx.response(), 426, "unsupported_websocket_version",
          "only WebSocket version 13 (RFC 6455) is spoken here");
      return;
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || settings.allows(origin)) {
      ctx.next();
      return;
    }
    HttpErrors.send(ctx.response(), 403, "origin_not_allowed",
        "pages from this origin may not connect (WEFT_ALLOWED_ORIGINS)");
  }
}
