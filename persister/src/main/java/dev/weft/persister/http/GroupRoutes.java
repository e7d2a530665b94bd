package dev.weft.persister.http;

import dev.weft.common.UserIds;
import dev.weft.persister.db.GroupsOfUsers;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.kafka.PersistedBarrier;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What a gateway asks about users' groups: connecting users' groups ({@code groups-of}), which the gateway holds while
 * they are connected, and how many groups some users are in ({@code group-counts}), for its per-user quota. Both
 * answer once the persisters stored everything the inbound topic held when asked (the barrier of {@link CatchUpRoutes},
 * on its pool, one wait shared by the requests of a moment: {@link SharedBarrier}), so a gateway that follows the
 * groups topic from before the call misses no change.
 */
final class GroupRoutes {

  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);
  /** Most users one request may name; gateways ask in chunks of at most this. */
  static final int MAX_USERS = 500;

  private final MessageStore store;
  private final WorkerExecutor jdbc;
  private final SharedBarrier barrier;
  private final dev.weft.schemas.AvroSerde<dev.weft.schemas.GroupSnapshot> snapshots =
      dev.weft.schemas.AvroSerde.groupSnapshot();

  GroupRoutes(MessageStore store, WorkerExecutor jdbc, BarrierPool barriers, PersistedBarrier barrier) {
    this.store = store;
    this.jdbc = jdbc;
    this.barrier = new SharedBarrier(barriers, () -> barrier.awaitInbound(BARRIER_TIMEOUT));
  }

  void mount(Router router) {
    // 500 ids of at most 64 characters, in JSON: well under this.
    BodyHandler body = BodyHandler.create().setBodyLimit(128 * 1024);
    router.post("/internal/v1/groups-of").handler(body).handler(this::groups);
    router.post("/internal/v1/group-counts").handler(body).handler(this::counts);
    router.get("/internal/v1/groups/:conv").handler(this::group);
    router.post("/internal/v1/blocks-of").handler(body).handler(this::blocks);
  }

  /**
   * {@code POST /internal/v1/blocks-of} with {@code {"users":["a"]}} (1 to {@link #MAX_USERS}):
   * {@code {"blocks":[{"conv":"dm:...","blocker":"a","blocked":"b","active":true,"seq":41}]}}: every block row naming one
   * of them, either way, as of everything the inbound topic held when asked. A gateway loads its connecting users'.
   */
  private void blocks(RoutingContext ctx) {
    List<String> users = users(ctx);
    if (users == null) {
      return;
    }
    barrier.await().compose(ends -> jdbc.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      for (var b : store.blocks().involving(users)) {
        out.add(new JsonObject().put("conv", b.conv()).put("blocker", b.blocker()).put("blocked", b.blocked())
            .put("active", b.active()).put("seq", b.seq()));
      }
      return new JsonObject().put("blocks", out);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "blocks", e));
  }

  /**
   * {@code GET /internal/v1/groups/<conv>}: {@code {"snapshot":"<base64>"}}, the group's Avro {@code GroupSnapshot} as
   * of everything the inbound topic held when asked; 404 {@code no_such_group} when it was never created. For the
   * server API's checks.
   */
  private void group(RoutingContext ctx) {
    String conv = ctx.pathParam("conv");
    if (!dev.weft.common.ConversationIds.isGroup(conv)) {
      HistoryServer.badRequest(ctx, "not a group id");
      return;
    }
    barrier.await().compose(ends -> jdbc.executeBlocking(() -> store.group(conv), false))
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("code", "no_such_group").put("message", "no such group").encode());
          } else {
            ctx.json(new JsonObject().put("snapshot", Base64.getEncoder().encodeToString(snapshots.encode(found.get()))));
          }
        })
        .onFailure(e -> CatchUpRoutes.unavailable(ctx, "group " + conv, e));
  }

  /**
   * {@code POST /internal/v1/groups-of} with {@code {"users":["a","b"]}} (1 to {@link #MAX_USERS}):
   * {@code {"snapshots":{"<conv>":"<base64>"},"users":{"a":["<conv>"]}}}, the Avro {@code GroupSnapshot}
   * (single-object encoded) of each group one of them is a current member of, once, and each user's groups (a user in
   * none is left out). Gateways ask for the users connecting in a moment together.
   */
  private void groups(RoutingContext ctx) {
    List<String> users = users(ctx);
    if (users == null) {
      return;
    }
    barrier.await().compose(ends -> jdbc.executeBlocking(() -> {
      GroupsOfUsers.Of of = store.groupsOfUsers().snapshotsOf(users);
      JsonObject snapshots = new JsonObject();
      Base64.Encoder base64 = Base64.getEncoder();
      of.snapshots().forEach((conv, bytes) -> snapshots.put(conv, base64.encodeToString(bytes)));
      JsonObject groupsOf = new JsonObject();
      of.groupsOf().forEach((user, convs) -> groupsOf.put(user, new JsonArray(convs)));
      return new JsonObject().put("snapshots", snapshots).put("users", groupsOf);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "groups of " + users.size() + " users", e));
  }

  /** The body's {@code users}, checked; null (and 400 sent) when it is not 1 to {@link #MAX_USERS} user ids. */
  static List<String> users(RoutingContext ctx) {
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
    if (users.isEmpty() || users.size() > MAX_USERS || users.contains(null)) {
      HistoryServer.badRequest(ctx, "the body must be {\"users\": [...]} naming 1 to " + MAX_USERS + " user ids");
      return null;
    }
    return List.copyOf(new java.util.LinkedHashSet<>(users));
  }

  /**
   * {@code POST /internal/v1/group-counts} with {@code {"users":["a","b"]}}: {@code {"counts":{"a":3}}}, how many
   * groups each named user (1 to {@link #MAX_USERS}) is a current member of; a user in none is left out.
   */
  private void counts(RoutingContext ctx) {
    List<String> users = users(ctx);
    if (users == null) {
      return;
    }
    barrier.await().compose(ends -> jdbc.executeBlocking(() -> {
      JsonObject counts = new JsonObject();
      for (Map.Entry<String, Integer> e : store.groupsOfUsers().counts(users).entrySet()) {
        counts.put(e.getKey(), e.getValue());
      }
      return new JsonObject().put("counts", counts);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "group counts", e));
  }
}
