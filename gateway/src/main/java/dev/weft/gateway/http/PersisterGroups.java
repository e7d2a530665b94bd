package dev.weft.gateway.http;

import dev.weft.common.groups.GroupState;
import dev.weft.gateway.groups.LoadedUsers;
import dev.weft.gateway.groups.Memberships;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Users' groups as the persister stored them: what a gateway loads when a user connects ({@link LoadedUsers}; the
 * users connecting in the same few milliseconds are asked for in one request), and how many groups each of some users
 * is in, for the per-user group quota of users not loaded here. Both answer after
 * the persister has stored everything the inbound topic held when asked.
 */
public final class PersisterGroups implements LoadedUsers.Source, Memberships.Counts {

  private static final int TIMEOUT_MS = 5_000;

  /** Loads tried before one fails: a persister busy with a gateway's worth of reconnections answers 503 for a while. */
  private static final int LOAD_ATTEMPTS = 5;

  private final PersisterClient persister;
  private final io.vertx.core.Vertx vertx;
  private final AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
  private final UserBatches<List<GroupState>> loads;

  public PersisterGroups(PersisterClient persister, io.vertx.core.Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
    this.loads = new UserBatches<>(vertx, this::ask, List.of());
  }

  @Override
  public Future<List<GroupState>> groupsOf(String user) {
    return PersisterCalls.retrying(vertx, LOAD_ATTEMPTS, java.time.Duration.ofSeconds(2), () -> loadOnce(user));
  }

  /** Asks with the users of the same moment: a gateway's users reconnecting at once cost one request per batch. */
  private Future<List<GroupState>> loadOnce(String user) {
    return loads.of(user);
  }

  private Future<Map<String, List<GroupState>>> ask(List<String> batch) {
    JsonArray users = new JsonArray(batch);
    return persister.post("/internal/v1/groups-of").timeout(TIMEOUT_MS).sendJsonObject(new JsonObject().put("users", users))
        .compose(r -> {
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for users' groups");
          }
          JsonObject body = r.bodyAsJsonObject();
          Base64.Decoder base64 = Base64.getDecoder();
          Map<String, GroupState> states = new HashMap<>();
          body.getJsonObject("snapshots", new JsonObject()).forEach(e ->
              states.put(e.getKey(), GroupState.of(serde.decode(base64.decode((String) e.getValue())))));
          Map<String, List<GroupState>> out = new HashMap<>();
          body.getJsonObject("users", new JsonObject()).forEach(e -> {
            List<GroupState> mine = new ArrayList<>();
            for (Object conv : (JsonArray) e.getValue()) {
              mine.add(states.get((String) conv));
            }
            out.put(e.getKey(), mine);
          });
          return Future.succeededFuture(out);
        });
  }

  /** A group as the persister stored it (after everything the inbound topic held when asked), or null when none. */
  public Future<GroupState> group(String conv) {
    return PersisterCalls.retrying(vertx, LOAD_ATTEMPTS, java.time.Duration.ofSeconds(1), () ->
        persister.get("/internal/v1/groups/" + PersisterClient.segment(conv)).timeout(TIMEOUT_MS).send().compose(r -> {
          if (r.statusCode() == 404) {
            return Future.succeededFuture((GroupState) null);
          }
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for group " + conv);
          }
          byte[] bytes = Base64.getDecoder().decode(r.bodyAsJsonObject().getString("snapshot"));
          return Future.succeededFuture(GroupState.of(serde.decode(bytes)));
        }));
  }

  @Override
  public Future<Map<String, Integer>> countsOf(List<String> users) {
    return PersisterCalls.inChunks(users, this::countChunk);
  }

  private Future<Map<String, Integer>> countChunk(List<String> users) {
    // In a body: 500 ids do not fit a request line.
    return persister.post("/internal/v1/group-counts").timeout(TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("users", new JsonArray(users)))
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
