package dev.weft.persister.http;

import dev.weft.common.InternalSecret;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets through only calls that carry the internal secret in {@link InternalSecret#HEADER}: the {@code /internal}
 * routes trust their caller to have checked the user, so anyone else who reaches the port must get nothing. A missing
 * and a wrong secret get the same 401 {@code unauthorized}, so the answer tells a prober nothing but "no".
 */
final class InternalAuth implements Handler<RoutingContext> {

  private final InternalSecret secret;
  private final Counter refused;

  InternalAuth(InternalSecret secret, MeterRegistry registry) {
    this.secret = secret;
    this.refused = Counter.builder("weft.persister.internal.refused")
        .description("calls to /internal refused for a missing or wrong Weft-Internal-Secret").register(registry);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (secret.matches(ctx.request().getHeader(InternalSecret.HEADER))) {
      ctx.next();
      return;
    }
    refused.increment();
    ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", "unauthorized")
            .put("message", "internal routes need the " + InternalSecret.HEADER + " header with WEFT_INTERNAL_SECRET").encode());
  }
}
