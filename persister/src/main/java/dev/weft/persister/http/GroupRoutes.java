package dev.weft.persister.http;

import dev.weft.common.UserIds;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.kafka.PersistedBarrier;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What a gateway asks about users' groups: a connecting user's groups ({@code groups}), which the gateway holds while
 * the user is connected, and how many groups some users are in ({@code group-counts}), for its per-user quota. Both
 * answer once the persisters stored everything the inbound topic held when asked (the barrier of {@link CatchUpRoutes},
 * on its pool), so a gateway that follows the groups topic from before the call misses no change.
 */
final class GroupRoutes {

  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);
  /** Most users one count request may name; gateways ask in chunks of at most this. */
  static final int MAX_COUNTED = 500;

  private final MessageStore store;
  private final WorkerExecutor jdbc;
  private final BarrierPool barriers;
  private final PersistedBarrier barrier;

  GroupRoutes(MessageStore store, WorkerExecutor jdbc, BarrierPool barriers, PersistedBarrier barrier) {
    this.store = store;
    this.jdbc = jdbc;
    this.barriers = barriers;
    this.barrier = barrier;
  }

  void mount(Router router) {
    router.get("/internal/v1/users/:user/groups").handler(this::groups);
    // 500 ids of at most 64 characters, in JSON: well under this.
    router.post("/internal/v1/group-counts").handler(io.vertx.ext.web.handler.BodyHandler.create().setBodyLimit(128 * 1024))
        .handler(this::counts);
  }

  /**
   * {@code GET /internal/v1/users/:user/groups}: {@code {"groups":[...]}}, the Avro {@code GroupSnapshot} (single-object
   * encoded, base64) of each group the user is a current member of.
   */
  private void groups(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    if (!UserIds.valid(user)) {
      HistoryServer.badRequest(ctx, "user must be a valid user id: " + UserIds.RULE);
      return;
    }
    barriers.run(() -> barrier.awaitInbound(BARRIER_TIMEOUT)).compose(ends -> jdbc.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      Base64.Encoder base64 = Base64.getEncoder();
      for (byte[] snapshot : store.groupsOfUsers().snapshotsOf(user)) {
        out.add(base64.encodeToString(snapshot));
      }
      return new JsonObject().put("groups", out);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "groups of " + user, e));
  }

  /**
   * {@code POST /internal/v1/group-counts} with {@code {"users":["a","b"]}}: {@code {"counts":{"a":3}}}, how many
   * groups each named user (1 to {@link #MAX_COUNTED}) is a current member of; a user in none is left out.
   */
  private void counts(RoutingContext ctx) {
    List<String> users = new java.util.ArrayList<>();
    JsonArray named;
    try {
      JsonObject body = ctx.body().asJsonObject();
      named = body == null ? null : body.getJsonArray("users");
    } catch (RuntimeException e) {
      named = null;
    }
    if (named != null) {
      for (Object o : named) {
        users.add(o instanceof String s && UserIds.valid(s) ? s : null);
      }
    }
    if (users.isEmpty() || users.size() > MAX_COUNTED || users.contains(null)) {
      HistoryServer.badRequest(ctx, "the body must be {\"users\": [...]} naming 1 to " + MAX_COUNTED + " user ids");
      return;
    }
    barriers.run(() -> barrier.awaitInbound(BARRIER_TIMEOUT)).compose(ends -> jdbc.executeBlocking(() -> {
      JsonObject counts = new JsonObject();
      for (Map.Entry<String, Integer> e : store.groupsOfUsers().counts(List.copyOf(users)).entrySet()) {
        counts.put(e.getKey(), e.getValue());
      }
      return new JsonObject().put("counts", counts);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "group counts", e));
  }
}
