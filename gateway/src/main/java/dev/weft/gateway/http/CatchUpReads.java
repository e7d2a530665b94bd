package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads what a reconnecting client missed from a persister. The persister first waits until history holds
 * everything Kafka had when the read began, so what it answers, with what the socket gets live after its welcome,
 * leaves no gap.
 */
public final class CatchUpReads {

  private static final int TIMEOUT_MS = 15_000;

  private final PersisterClient persister;

  public CatchUpReads(PersisterClient persister) {
    this.persister = persister;
  }

  /**
   * The user's messages at or past {@code next} on each partition, in partition then seq order, at most
   * {@code limit}; with the receipts stored since {@code receiptsSince} when it is not null.
   */
  public Future<JsonObject> page(String user, long[] next, int limit, Long receiptsSince) {
    HttpRequest<Buffer> request = persister.get(PersisterClient.userPath(user, "catchup"))
        .addQueryParam("next", Arrays.stream(next).mapToObj(Long::toString).collect(Collectors.joining(",")))
        .addQueryParam("limit", Integer.toString(limit));
    if (receiptsSince != null) {
      request.addQueryParam("receiptsSince", receiptsSince.toString());
    }
    return send(request);
  }

  /** The latest {@code perConversation} messages of the user's {@code conversations} most recent conversations. */
  public Future<JsonObject> recent(String user, int perConversation, int conversations) {
    return send(persister.get(PersisterClient.userPath(user, "recent"))
        .addQueryParam("perConversation", Integer.toString(perConversation))
        .addQueryParam("conversations", Integer.toString(conversations)));
  }

  /** The persister has as many catch-up barriers running and queued as it allows (503 {@code busy}). */
  public static final class Busy extends Exception {
    Busy() {
      super("the persister is running as many catch-ups as it may", null, false, false);
    }
  }

  private static Future<JsonObject> send(HttpRequest<Buffer> request) {
    return request.timeout(TIMEOUT_MS).send().compose(r -> {
      if (r.statusCode() == 200) {
        return Future.succeededFuture(r.bodyAsJsonObject());
      }
      if (r.statusCode() == 503 && busy(r.bodyAsString())) {
        return Future.failedFuture(new Busy());
      }
      return Future.failedFuture("catch-up read answered " + r.statusCode() + ": " + r.bodyAsString());
    });
  }

  private static boolean busy(String body) {
    try {
      return body != null && "busy".equals(new JsonObject(body).getString("code"));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
