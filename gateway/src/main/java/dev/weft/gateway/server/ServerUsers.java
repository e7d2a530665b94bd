package dev.weft.gateway.server;

import dev.weft.common.UserIds;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.presence.PresenceDirectory;
import dev.weft.schemas.ControlKind;
import dev.weft.schemas.ControlRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * A user's sockets and tokens: {@code POST /v1/server/users/<user>/disconnect} closes their open sockets (or one
 * device's) with 4010; {@code POST .../revoke} refuses their tokens issued before a moment from now on, on every
 * gateway, and closes the sockets that hold one with 4011; {@code GET .../presence} says whether they are online,
 * with which sessions, and when last seen. The first two are orders on {@code weft.control}, which every gateway
 * reads; they are answered 202 once Kafka has them, and take effect on every gateway within moments.
 */
final class ServerUsers {

  /** How far ahead of now a revocation may reach: a backend's clock a little ahead of this gateway's is fine. */
  private static final long MAX_FUTURE_MS = 60_000;

  private final ServerWrites writes;
  private final PresenceDirectory.Source presence;
  private final dev.weft.gateway.http.PersisterGroups groups;
  private final io.vertx.core.Vertx vertx;

  ServerUsers(ServerWrites writes, PresenceDirectory.Source presence, dev.weft.gateway.http.PersisterGroups groups,
      io.vertx.core.Vertx vertx) {
    this.writes = writes;
    this.presence = presence;
    this.groups = groups;
    this.vertx = vertx;
  }

  /** How long an erasure waits for the persisters to store the user's removal from their groups. */
  private static final long GROUPS_LEFT_WITHIN_MS = 15_000;

  /**
   * {@code POST /v1/server/users/<user>/erase}: a GDPR erasure. In this order, each step through Kafka: the user's
   * tokens are refused and their sockets closed (a {@code REVOKE}, so nothing more comes from them); they are removed
   * from every group they are in, as the system; once the persisters have stored that, the {@code ERASE} order makes
   * them remove the user's data from MySQL (docs/server-api.md says what remains). Answered 202 once the order is in
   * Kafka.
   */
  void erase(RoutingContext ctx) {
    String user = ServerRequests.user(ctx, ctx.pathParam("user"), "the path's user");
    if (user == null) {
      return;
    }
    long now = writes.now();
    ControlRecord revoke = ControlRecord.newBuilder().setKind(ControlKind.REVOKE).setUser(user).setDevice(null)
        .setBefore(now).setTs(now).build();
    JsonArray left = new JsonArray();
    writes.order(user, revoke)
        .compose(v -> groups.groupsOf(user))
        .compose(mine -> {
          io.vertx.core.Future<Void> all = io.vertx.core.Future.succeededFuture();
          for (dev.weft.common.groups.GroupState g : mine) {
            left.add(g.conv());
            dev.weft.schemas.GroupEvent removed = dev.weft.schemas.GroupEvent.newBuilder()
                .setKind(dev.weft.schemas.GroupEventKind.REMOVED).setUsers(List.of(user)).build();
            all = all.compose(x -> writes.toConversation(g.conv(), dev.weft.common.SystemSender.ID, g.currentMembers(),
                "", removed, null).mapEmpty());
          }
          return all;
        })
        .compose(v -> outOfEveryGroup(user, System.nanoTime() + GROUPS_LEFT_WITHIN_MS * 1_000_000))
        .compose(v -> writes.order("erase/" + user, ControlRecord.newBuilder().setKind(ControlKind.ERASE).setUser(user)
            .setDevice(null).setBefore(now).setTs(writes.now()).build()))
        .onSuccess(v -> accepted(ctx, new JsonObject().put("user", user).put("before", now).put("groups_left", left)))
        .onFailure(e -> {
          if (e instanceof IllegalStateException) {
            HttpErrors.send(ctx.response(), 503, "unavailable", e.getMessage() + "; call erase again (it repeats safely)");
          } else {
            ServerWrites.failed(ctx, e);
          }
        });
  }

  /** Completes once the persisters hold the user in no group (they answer after storing what Kafka had). */
  private io.vertx.core.Future<Void> outOfEveryGroup(String user, long deadline) {
    return groups.groupsOf(user).compose(still -> {
      if (still.isEmpty()) {
        return io.vertx.core.Future.succeededFuture();
      }
      if (System.nanoTime() > deadline) {
        return io.vertx.core.Future.failedFuture(new IllegalStateException(
            "the persisters have not stored the removal from " + still.size() + " groups yet"));
      }
      return io.vertx.core.Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete()))
          .compose(v -> outOfEveryGroup(user, deadline));
    });
  }

  void disconnect(RoutingContext ctx) {
    String user = ServerRequests.user(ctx, ctx.pathParam("user"), "the path's user");
    JsonObject body = user == null ? null : ServerRequests.body(ctx, true);
    if (body == null) {
      return;
    }
    Object deviceValue = body.getValue("device");
    if (deviceValue != null && !(deviceValue instanceof String d && UserIds.valid(d))) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "device must be a device id: " + UserIds.RULE);
      return;
    }
    String device = (String) deviceValue;
    long now = writes.now();
    ControlRecord order = ControlRecord.newBuilder().setKind(ControlKind.DISCONNECT).setUser(user).setDevice(device)
        .setBefore(now).setTs(now).build();
    writes.order("disconnect/" + user, order)
        .onSuccess(v -> accepted(ctx, new JsonObject().put("user", user).put("device", device).put("before", now)))
        .onFailure(e -> ServerWrites.failed(ctx, e));
  }

  void revoke(RoutingContext ctx) {
    String user = ServerRequests.user(ctx, ctx.pathParam("user"), "the path's user");
    JsonObject body = user == null ? null : ServerRequests.body(ctx, true);
    if (body == null) {
      return;
    }
    long now = writes.now();
    Object beforeValue = body.getValue("before");
    if (beforeValue != null && !(beforeValue instanceof Integer || beforeValue instanceof Long)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "before must be milliseconds since the epoch");
      return;
    }
    long before = beforeValue == null ? now : ((Number) beforeValue).longValue();
    if (before > now + MAX_FUTURE_MS) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "before may be at most " + MAX_FUTURE_MS / 1000
          + " s ahead of now: a revocation refuses tokens issued before it, and new ones would be refused too");
      return;
    }
    ControlRecord order = ControlRecord.newBuilder().setKind(ControlKind.REVOKE).setUser(user).setDevice(null)
        .setBefore(before).setTs(now).build();
    // iat is in whole seconds: a token issued in the revocation's own second may read as before it.
    long validFrom = (before + 999) / 1000 * 1000;
    writes.order(user, order)
        .onSuccess(v -> accepted(ctx, new JsonObject().put("user", user).put("before", before)
            .put("tokens_valid_from", validFrom)))
        .onFailure(e -> ServerWrites.failed(ctx, e));
  }

  void presence(RoutingContext ctx) {
    String user = ServerRequests.user(ctx, ctx.pathParam("user"), "the path's user");
    if (user == null) {
      return;
    }
    presence.presenceOf(List.of(user)).onComplete(r -> {
      if (r.failed()) {
        HttpErrors.send(ctx.response(), 503, "unavailable", "presence is unavailable right now; retry");
        return;
      }
      PresenceDirectory.Stored stored = r.result().get(user);
      JsonArray sessions = new JsonArray();
      if (stored != null) {
        stored.sessions().keySet().forEach(sessions::add);
      }
      JsonObject out = new JsonObject().put("user", user).put("online", !sessions.isEmpty()).put("sessions", sessions);
      out.put("last_seen", stored == null || stored.lastSeen() < 0 ? null : stored.lastSeen());
      ctx.json(out);
    });
  }

  private static void accepted(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
