package dev.weft.gateway.http;

import dev.weft.gateway.presence.PresenceDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Followed users' presence as the persister stored it from the sessions topic ({@code POST /internal/v1/presence-of}),
 * answered after the persister has stored everything the topic held when asked. In chunks of the persister's bound;
 * a failed request is tried again a few times (a persister busy with a gateway's worth of reconnections answers 503
 * for a while).
 */
public final class PersisterPresence implements PresenceDirectory.Source {

  private static final int TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 3;

  private final PersisterClient persister;
  private final Vertx vertx;

  public PersisterPresence(PersisterClient persister, Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
  }

  @Override
  public Future<Map<String, PresenceDirectory.Stored>> presenceOf(List<String> users) {
    return PersisterCalls.inChunks(users,
        chunk -> PersisterCalls.retrying(vertx, ATTEMPTS, Duration.ofSeconds(1), () -> ask(chunk)));
  }

  private Future<Map<String, PresenceDirectory.Stored>> ask(List<String> users) {
    return persister.post("/internal/v1/presence-of").timeout(TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("users", new JsonArray(users)))
        .compose(r -> {
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for users' presence");
          }
          Map<String, PresenceDirectory.Stored> out = new HashMap<>();
          r.bodyAsJsonObject().getJsonObject("users", new JsonObject()).forEach(e -> {
            JsonObject stored = (JsonObject) e.getValue();
            Map<String, Boolean> sessions = new LinkedHashMap<>();
            stored.getJsonObject("sessions", new JsonObject()).forEach(s -> sessions.put(s.getKey(), (Boolean) s.getValue()));
            Long seen = stored.getLong("last_seen");
            out.put(e.getKey(), new PresenceDirectory.Stored(sessions, seen == null ? -1 : seen));
          });
          return Future.succeededFuture(out);
        });
  }
}
