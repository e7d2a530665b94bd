package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The block state of one-to-one conversations ({@code POST /internal/v1/blocks-of}), as the persister stored it once
 * it had everything the inbound topic held when asked: who of the pair blocks the other, and the seq of the latest
 * block entry, so a gateway can tell which of the entries delivered meanwhile are newer.
 */
public final class PersisterBlocks {

  private static final int TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 3;

  /** Who of the pair blocks the other now, as of the entry at {@code seq} (-1: none ever). */
  public record State(long seq, Set<String> blockers) {
    public static final State NONE = new State(-1, Set.of());
  }

  private final PersisterClient persister;
  private final Vertx vertx;

  public PersisterBlocks(PersisterClient persister, Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
  }

  /** The state of each conversation (those never blocked: {@link State#NONE}). */
  public Future<Map<String, State>> of(List<String> convs) {
    return PersisterCalls.inChunks(convs,
        chunk -> PersisterCalls.retrying(vertx, ATTEMPTS, Duration.ofSeconds(1), () -> ask(chunk)));
  }

  private Future<Map<String, State>> ask(List<String> convs) {
    return persister.post("/internal/v1/blocks-of").timeout(TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("convs", new JsonArray(convs))).compose(r -> {
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for block states");
          }
          Map<String, State> out = new HashMap<>();
          convs.forEach(c -> out.put(c, State.NONE));
          r.bodyAsJsonObject().getJsonObject("convs", new JsonObject()).forEach(e -> {
            JsonObject s = (JsonObject) e.getValue();
            Set<String> blockers = new HashSet<>();
            s.getJsonArray("blockers", new JsonArray()).forEach(b -> blockers.add((String) b));
            out.put(e.getKey(), new State(s.getLong("seq", -1L), Set.copyOf(blockers)));
          });
          return Future.succeededFuture(out);
        });
  }
}
