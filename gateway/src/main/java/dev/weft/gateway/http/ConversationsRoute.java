package dev.weft.gateway.http;

import dev.weft.common.Tokens;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
  private final WebClient client;
  private final String persisterUrl;

  private final dev.weft.gateway.abuse.HttpRequestLimit limit;

  public ConversationsRoute(Tokens tokens, WebClient client, String persisterUrl, dev.weft.gateway.abuse.HttpRequestLimit limit) {
    this.limit = limit;
    this.tokens = tokens;
    this.client = client;
    this.persisterUrl = persisterUrl;
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
    String url = persisterUrl + "/internal/v1/users/" + URLEncoder.encode(who.user(), StandardCharsets.UTF_8).replace("+", "%20")
        + "/conversations";
    client.getAbs(url).addQueryParam("limit", Integer.toString(limit)).timeout(10_000).send()
        .onSuccess(r -> {
          if (r.statusCode() == 200) {
            ctx.response().putHeader("Content-Type", "application/json").end(r.body());
          } else {
            log.warn("conversation list answered {}", r.statusCode());
            HttpErrors.send(ctx.response(), 503, "unavailable", "the conversation list is unavailable right now; retry");
          }
        })
        .onFailure(e -> {
          log.warn("conversation list from {} failed: {}", persisterUrl, e.toString());
          HttpErrors.send(ctx.response(), 503, "unavailable", "the conversation list is unavailable right now; retry");
        });
  }
}
