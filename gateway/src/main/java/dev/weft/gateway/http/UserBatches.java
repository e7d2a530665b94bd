package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-user asks of a persister gathered for a moment ({@link #DELAY_MS}) and made together, in chunks of the persister's
 * bound: a gateway's users reconnecting at once cost one request per chunk, not one each. Any thread.
 *
 * @param <V> what one user's answer is; a user the answer leaves out gets {@code absent}
 */
final class UserBatches<V> {

  /** How long an ask waits for others to share its request. */
  static final long DELAY_MS = 2;

  private record Pending<V>(String user, Promise<V> answer) {}

  private final Vertx vertx;
  private final Function<List<String>, Future<Map<String, V>>> ask;
  private final V absent;
  private final List<Pending<V>> pending = new ArrayList<>();

  /** @param ask one request for these users (at most {@link PersisterCalls#MAX_USERS}, distinct) */
  UserBatches(Vertx vertx, Function<List<String>, Future<Map<String, V>>> ask, V absent) {
    this.vertx = vertx;
    this.ask = ask;
    this.absent = absent;
  }

  /** The user's answer, from the request of the next batch. */
  Future<V> of(String user) {
    Promise<V> answer = Promise.promise();
    boolean first;
    synchronized (this) {
      pending.add(new Pending<>(user, answer));
      first = pending.size() == 1;
    }
    if (first) {
      vertx.setTimer(DELAY_MS, t -> flush());
    }
    return answer.future();
  }

  private void flush() {
    List<Pending<V>> all;
    synchronized (this) {
      all = new ArrayList<>(pending);
      pending.clear();
    }
    for (int from = 0; from < all.size(); from += PersisterCalls.MAX_USERS) {
      List<Pending<V>> batch = all.subList(from, Math.min(all.size(), from + PersisterCalls.MAX_USERS));
      ask.apply(batch.stream().map(Pending::user).distinct().toList()).onComplete(r -> batch.forEach(p -> {
        if (r.failed()) {
          p.answer().fail(r.cause());
        } else {
          p.answer().complete(r.result().getOrDefault(p.user(), absent));
        }
      }));
    }
  }
}
