package dev.weft.gateway.http;

import dev.weft.gateway.config.OriginSettings;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses an upgrade from a browser page whose origin is not allowed, before the token is even looked at, so a
 * foreign page learns nothing about it.
 */
public final class OriginCheck implements Handler<RoutingContext> {

  private final OriginSettings settings;

  public OriginCheck(OriginSettings settings) {
    this.settings = settings;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || settings.allows(origin)) {
      ctx.next();
      return;
    }
    HttpErrors.send(ctx.response(), 403, "origin_not_allowed",
        "pages from this origin may not connect (WEFT_ALLOWED_ORIGINS)");
  }
}
