package dev.weft.gateway.http;

import dev.weft.common.groups.GroupState;
import dev.weft.gateway.groups.LoadedUsers;
import dev.weft.gateway.groups.Memberships;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's groups as the persister stored them: what a gateway loads when a user connects ({@link LoadedUsers}), and
 * how many groups each of some users is in, for the per-user group quota of users not loaded here. Both answer after
 * the persister has stored everything the inbound topic held when asked.
 */
public final class PersisterGroups implements LoadedUsers.Source, Memberships.Counts {

  /** The persister's bound on users per count request. */
  public static final int MAX_USERS = 500;
  private static final int TIMEOUT_MS = 5_000;

  /** Loads tried before one fails: a persister busy with a gateway's worth of reconnections answers 503 for a while. */
  private static final int LOAD_ATTEMPTS = 5;

  private final PersisterClient persister;
  private final io.vertx.core.Vertx vertx;
  private final AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();

  public PersisterGroups(PersisterClient persister, io.vertx.core.Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
  }

  @Override
  public Future<List<GroupState>> groupsOf(String user) {
    return groupsOf(user, new dev.weft.common.kafka.RetryBackoff(java.time.Duration.ofMillis(50),
        java.time.Duration.ofSeconds(2)));
  }

  private Future<List<GroupState>> groupsOf(String user, dev.weft.common.kafka.RetryBackoff backoff) {
    return loadOnce(user).recover(e -> {
      long delay = backoff.nextDelayMs();
      if (backoff.failures() >= LOAD_ATTEMPTS) {
        return Future.failedFuture(e);
      }
      return Future.<Void>future(p -> vertx.setTimer(delay, t -> p.complete())).compose(v -> groupsOf(user, backoff));
    });
  }

  private Future<List<GroupState>> loadOnce(String user) {
    return persister.get(PersisterClient.userPath(user, "groups")).timeout(TIMEOUT_MS).send().compose(r -> {
      if (r.statusCode() != 200) {
        return Future.failedFuture("the persister answered " + r.statusCode() + " for the groups of a user");
      }
      List<GroupState> out = new ArrayList<>();
      Base64.Decoder base64 = Base64.getDecoder();
      for (Object s : r.bodyAsJsonObject().getJsonArray("groups")) {
        out.add(GroupState.of(serde.decode(base64.decode((String) s))));
      }
      return Future.succeededFuture(out);
    });
  }

  @Override
  public Future<Map<String, Integer>> countsOf(List<String> users) {
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    // In a body: 500 ids do not fit a request line.
    HttpRequest<Buffer> request = persister.post("/internal/v1/group-counts");
    return request.timeout(TIMEOUT_MS).sendJsonObject(new JsonObject().put("users", new io.vertx.core.json.JsonArray(users)))
        .compose(r -> {
      if (r.statusCode() != 200) {
        return Future.failedFuture("the persister answered " + r.statusCode() + " for group counts");
      }
      JsonObject counts = r.bodyAsJsonObject().getJsonObject("counts", new JsonObject());
      Map<String, Integer> out = new HashMap<>();
      counts.forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).intValue()));
      return Future.succeededFuture(out);
    });
  }
}
