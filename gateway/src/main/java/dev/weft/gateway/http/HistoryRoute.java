package dev.weft.gateway.http;

import dev.weft.gateway.groups.Memberships;
import dev.weft.common.Tokens;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/conversations/:conv/messages?after=&limit=}: history, for members only.
 *
 * <p>Clients only know the load balancer, so the gateway answers; it checks the token and
 * membership here and reads the rows from a persister, which owns the database.
 */
public final class HistoryRoute implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(HistoryRoute.class);

  private final Tokens tokens;
  private final PersisterClient persister;

  private final Memberships memberships;

  private final dev.weft.gateway.abuse.HttpRequestLimit limit;

  public HistoryRoute(Tokens tokens, PersisterClient persister, Memberships memberships,
      dev.weft.gateway.abuse.HttpRequestLimit limit) {
    this.limit = limit;
    this.memberships = memberships;
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
    String conv = ctx.pathParam("conv");
    String after = ctx.request().getParam("after", "-1");
    String limit = ctx.request().getParam("limit", "50");
    if (!validPage(ctx, after, limit)) {
      return;
    }
    memberships.of(conv, who.user(), io.vertx.core.Vertx.currentContext()).onComplete(r -> {
      if (r.failed()) {
        HttpErrors.send(ctx.response(), 503, "unavailable", r.cause().getMessage());
        return;
      }
      Memberships.Access access = r.result();
      if (access == null) {
        HttpErrors.send(ctx.response(), 403, "not_member", "no such conversation, or you are not a member of it");
        return;
      }
      // A group member reads from the event that made them a member on.
      long from = Math.max(Long.parseLong(after), access.readsFrom() - 1);
      read(persister, ctx, conv, from, limit);
    });
  }

  /**
   * Answers with the conversation's messages after {@code after}, as the persister has them: for the clients' route
   * above once membership is checked, and for the server API, which reads any conversation.
   */
  public static void read(PersisterClient persister, RoutingContext ctx, String conv, long after, String limit) {
    String path = "/internal/v1/conversations/" + PersisterClient.segment(conv) + "/messages";
    persister.get(path).addQueryParam("after", Long.toString(after)).addQueryParam("limit", limit).timeout(10_000).send()
        .onSuccess(resp -> relay(ctx, resp))
        .onFailure(e -> {
          log.warn("history read from {} failed: {}", persister.baseUrl(), e.toString());
          HttpErrors.send(ctx.response(), 503, "unavailable", "history is unavailable right now; retry");
        });
  }

  /** True when both are integers and limit is positive; else false, and 400 sent. */
  public static boolean validPage(RoutingContext ctx, String after, String limit) {
    if (!isLong(after) || !isLong(limit) || Long.parseLong(limit) < 1) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "after must be an integer and limit a positive integer");
      return false;
    }
    return true;
  }

  private static void relay(RoutingContext ctx, HttpResponse<Buffer> r) {
    if (r.statusCode() == 200 || r.statusCode() == 400) {
      ctx.response().setStatusCode(r.statusCode()).putHeader("Content-Type", "application/json").end(r.body() == null ? Buffer.buffer() : r.body());
    } else {
      log.warn("history read answered {}", r.statusCode());
      HttpErrors.send(ctx.response(), 503, "unavailable", "history is unavailable right now; retry");
    }
  }

  private static boolean isLong(String s) {
    try {
      Long.parseLong(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
