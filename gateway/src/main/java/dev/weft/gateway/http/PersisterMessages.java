package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * One stored message, as the persister has it once it stored everything the inbound topic held when asked
 * ({@code GET /internal/v1/conversations/<conv>/messages/<id>}): what an edit, a delete or a reaction checks its
 * target against. A message acked before the call is always found.
 */
public final class PersisterMessages {

  private static final int TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 3;

  /** A stored entry: who sent it, what it is ({@code msg}, {@code event}, {@code edit}, ...), whether it was deleted. */
  public record Target(String from, String op, boolean deleted) {}

  private final PersisterClient persister;
  private final Vertx vertx;

  public PersisterMessages(PersisterClient persister, Vertx vertx) {
    this.persister = persister;
    this.vertx = vertx;
  }

  /** The entry, or null when the conversation holds no such id. */
  public Future<Target> find(String conv, String id) {
    String path = "/internal/v1/conversations/" + PersisterClient.segment(conv) + "/messages/" + PersisterClient.segment(id);
    return PersisterCalls.retrying(vertx, ATTEMPTS, Duration.ofSeconds(1), () -> persister.get(path).timeout(TIMEOUT_MS)
        .send().compose(r -> {
          if (r.statusCode() == 404) {
            return Future.succeededFuture((Target) null);
          }
          if (r.statusCode() != 200) {
            return Future.failedFuture("the persister answered " + r.statusCode() + " for a message");
          }
          JsonObject o = r.bodyAsJsonObject();
          return Future.succeededFuture(new Target(o.getString("from"), o.getString("op"), o.getBoolean("deleted", false)));
        }));
  }
}
