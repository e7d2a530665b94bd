package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The block rows naming connecting users, either way ({@code POST /internal/v1/blocks-of}), as the persister stored
 * them once it had everything the inbound topic held when asked. The users connecting in the same moment are asked
 * together, as for their groups.
 */
public final class PersisterBlocks {

  private static final int TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 3;

  /** A conversation's state: who of the pair blocks the other, as of its latest block entry at {@code seq}. */
  public record State(long seq, Set<String> blockers) {
    public static final State NONE = new State(-1, Set.of());
  }

  /** One block row: {@code blocker} blocks ({@code active}) or unblocked {@code blocked} in {@code conv}, at seq. */
  public record Row(String conv, String blocker, String blocked, boolean active, long seq) {}

  private final PersisterClient persister;
  private final Vertx vertx;
  private final UserBatches<List<Row>> loads;

  public PersisterBlocks(PersisterClient persister, Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
    this.loads = new UserBatches<>(vertx,
        users -> PersisterCalls.retrying(vertx, ATTEMPTS, Duration.ofSeconds(1), () -> ask(users)), List.of());
  }

  /** The rows naming the user, either way. */
  public Future<List<Row>> involving(String user) {
    return loads.of(user);
  }

  private Future<Map<String, List<Row>>> ask(List<String> users) {
    return persister.post("/internal/v1/blocks-of").timeout(TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("users", new JsonArray(users))).compose(r -> {
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for blocks");
          }
          Map<String, List<Row>> out = new HashMap<>();
          for (Object o : r.bodyAsJsonObject().getJsonArray("blocks", new JsonArray())) {
            JsonObject b = (JsonObject) o;
            Row row = new Row(b.getString("conv"), b.getString("blocker"), b.getString("blocked"),
                b.getBoolean("active"), b.getLong("seq"));
            out.computeIfAbsent(row.blocker(), k -> new ArrayList<>()).add(row);
            if (!row.blocked().equals(row.blocker())) {
              out.computeIfAbsent(row.blocked(), k -> new ArrayList<>()).add(row);
            }
          }
          return Future.succeededFuture(out);
        });
  }
}
