package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Finds the ack of a message a client sent before, for a send marked as a resend. Asks a persister,
 * which first makes sure history has caught up with Kafka for that conversation. Only resends pay
 * for this call; first sends never do.
 */
public final class OriginalAcks {

  private final PersisterClient persister;

  public OriginalAcks(PersisterClient persister) {
    this.persister = persister;
  }

  /** {conv, seq, id, ts} of the first message {@code user} stored under {@code ref} in {@code conv}, if any. */
  public Future<Optional<JsonObject>> find(String user, String ref, String conv) {
    return persister.get("/internal/v1/refs").addQueryParam("user", user).addQueryParam("ref", ref)
        .addQueryParam("conv", conv).timeout(10_000).send()
        .compose(r -> {
          if (r.statusCode() != 200) {
            return Future.failedFuture("ref lookup answered " + r.statusCode());
          }
          JsonObject body = r.bodyAsJsonObject();
          boolean same = body.getBoolean("found", false) && conv.equals(body.getString("conv"));
          return Future.succeededFuture(same ? Optional.of(body) : Optional.empty());
        });
  }
}
