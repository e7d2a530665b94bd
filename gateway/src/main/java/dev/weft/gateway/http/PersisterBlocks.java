package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
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
  private static final long BATCH_DELAY_MS = 2;

  /** A conversation's state: who of the pair blocks the other, as of its latest block entry at {@code seq}. */
  public record State(long seq, Set<String> blockers) {
    public static final State NONE = new State(-1, Set.of());
  }

  /** One block row: {@code blocker} blocks ({@code active}) or unblocked {@code blocked} in {@code conv}, at seq. */
  public record Row(String conv, String blocker, String blocked, boolean active, long seq) {}

  private record Pending(String user, Promise<List<Row>> answer) {}

  private final PersisterClient persister;
  private final Vertx vertx;
  private final List<Pending> pending = new ArrayList<>();

  public PersisterBlocks(PersisterClient persister, Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
  }

  /** The rows naming the user, either way. */
  public Future<List<Row>> involving(String user) {
    Promise<List<Row>> answer = Promise.promise();
    boolean first;
    synchronized (this) {
      pending.add(new Pending(user, answer));
      first = pending.size() == 1;
    }
    if (first) {
      vertx.setTimer(BATCH_DELAY_MS, t -> flush());
    }
    return answer.future();
  }

  private void flush() {
    List<Pending> all;
    synchronized (this) {
      all = new ArrayList<>(pending);
      pending.clear();
    }
    for (int from = 0; from < all.size(); from += PersisterCalls.MAX_USERS) {
      List<Pending> batch = all.subList(from, Math.min(all.size(), from + PersisterCalls.MAX_USERS));
      List<String> users = batch.stream().map(Pending::user).distinct().toList();
      PersisterCalls.retrying(vertx, ATTEMPTS, Duration.ofSeconds(1), () -> ask(users)).onComplete(r -> batch.forEach(p -> {
        if (r.failed()) {
          p.answer().fail(r.cause());
        } else {
          p.answer().complete(r.result().getOrDefault(p.user(), List.of()));
        }
      }));
    }
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
