package dev.weft.gateway.http;

import dev.weft.common.Tokens;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/conversations?limit=}: the caller's conversations, most recently active first, each with its latest
 * message and unread count. The token says whose; a persister reads the list.
 */
public final class ConversationsRoute implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ConversationsRoute.class);
  static final int MAX_LIMIT = 200;

  private final Tokens tokens;
  private final PersisterClient persister;

  private final dev.weft.gateway.abuse.HttpRequestLimit limit;

  public ConversationsRoute(Tokens tokens, PersisterClient persister, dev.weft.gateway.abuse.HttpRequestLimit limit) {
    this.limit = limit;
    this.tokens = tokens;
    this.persister = persister;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!limit.admit(ctx)) {
      return;
    }
    Tokens.Verified who = tokens.verify(BearerToken.from(ctx.request()));
    if (!who.ok()) {
      HttpErrors.send(ctx.response(), 401, who.code(), who.message());
      return;
    }
    int limit;
    try {
      limit = Integer.parseInt(ctx.request().getParam("limit", "50"));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "limit must be an integer from 1 to " + MAX_LIMIT);
      return;
    }
    persister.get(PersisterClient.userPath(who.user(), "conversations")).addQueryParam("limit", Integer.toString(limit)).timeout(10_000).send()
        .onSuccess(r -> {
          if (r.statusCode() == 200) {
            ctx.response().putHeader("Content-Type", "application/json").end(r.body());
          } else {
            log.warn("conversation list answered {}", r.statusCode());
            HttpErrors.send(ctx.response(), 503, "unavailable", "the conversation list is unavailable right now; retry");
          }
        })
        .onFailure(e -> {
          log.warn("conversation list from {} failed: {}", persister.baseUrl(), e.toString());
          HttpErrors.send(ctx.response(), 503, "unavailable", "the conversation list is unavailable right now; retry");
        });
  }
}
