package dev.weft.persister.http;

import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.SessionStore;
import dev.weft.persister.kafka.PersistedBarrier;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a gateway asks when one of its clients starts following users nobody there followed yet: their live sessions
 * and last-seen times ({@code presence-of}). Answered once the persisters stored everything the sessions topic held
 * when asked (one wait shared by the requests of a moment: {@link SharedBarrier}), so a gateway that follows the topic
 * from before the call misses no change.
 */
final class PresenceRoutes {

  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);

  private final SessionStore store;
  private final WorkerExecutor jdbc;
  private final SharedBarrier barrier;

  PresenceRoutes(MessageStore store, WorkerExecutor jdbc, BarrierPool barriers, PersistedBarrier barrier) {
    this.store = store.sessions();
    this.jdbc = jdbc;
    this.barrier = new SharedBarrier(barriers, () -> barrier.awaitSessions(BARRIER_TIMEOUT));
  }

  void mount(Router router) {
    router.post("/internal/v1/presence-of").handler(BodyHandler.create().setBodyLimit(128 * 1024)).handler(this::presence);
  }

  /**
   * {@code POST /internal/v1/presence-of} with {@code {"users":["a","b"]}} (1 to {@link GroupRoutes#MAX_USERS}):
   * {@code {"users":{"a":{"sessions":{"<session id>":false},"last_seen":1764300000000}}}}: each user's live sessions
   * (true: the session hides last seen) and when their last session ended ({@code null}: hidden). A user never seen is
   * left out.
   */
  private void presence(RoutingContext ctx) {
    List<String> users = GroupRoutes.users(ctx);
    if (users == null) {
      return;
    }
    barrier.await().compose(ends -> jdbc.executeBlocking(() -> {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, SessionStore.Stored> e : store.of(users).entrySet()) {
        JsonObject sessions = new JsonObject();
        e.getValue().sessions().forEach(sessions::put);
        out.put(e.getKey(), new JsonObject().put("sessions", sessions).put("last_seen", e.getValue().lastSeen()));
      }
      return new JsonObject().put("users", out);
    }, false)).onSuccess(ctx::json).onFailure(e -> CatchUpRoutes.unavailable(ctx, "presence of " + users.size() + " users", e));
  }
}
