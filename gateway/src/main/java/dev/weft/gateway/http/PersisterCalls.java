package dev.weft.gateway.http;

import dev.weft.common.kafka.RetryBackoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the gateway asks a persister about many users: in chunks of the persister's bound, answers merged, and a call
 * that failed tried again after a jittered backoff (a persister busy with a gateway's worth of reconnections answers
 * 503 for a while).
 */
final class PersisterCalls {

  /** The persister's bound on users per request. */
  static final int MAX_USERS = 500;

  private PersisterCalls() {}

  /** {@code ask} for each chunk of at most {@link #MAX_USERS} users, at once; their answers in one map. */
  static <V> Future<Map<String, V>> inChunks(List<String> users, Function<List<String>, Future<Map<String, V>>> ask) {
    List<Future<Map<String, V>>> parts = new ArrayList<>();
    for (int from = 0; from < users.size(); from += MAX_USERS) {
      parts.add(ask.apply(users.subList(from, Math.min(users.size(), from + MAX_USERS))));
    }
    return Future.all(parts).map(all -> {
      Map<String, V> out = new HashMap<>();
      parts.forEach(f -> out.putAll(f.result()));
      return out;
    });
  }

  /** {@code call}, made again after a backoff while it fails, at most {@code attempts} times in all. */
  static <T> Future<T> retrying(Vertx vertx, int attempts, Duration maxBackoff, Supplier<Future<T>> call) {
    return retrying(vertx, attempts, new RetryBackoff(Duration.ofMillis(50), maxBackoff), call);
  }

  private static <T> Future<T> retrying(Vertx vertx, int attempts, RetryBackoff backoff, Supplier<Future<T>> call) {
    return call.get().recover(e -> {
      long delay = backoff.nextDelayMs();
      if (backoff.failures() >= attempts) {
        return Future.failedFuture(e);
      }
      return Future.<Void>future(p -> vertx.setTimer(delay, t -> p.complete()))
          .compose(v -> retrying(vertx, attempts, backoff, call));
    });
  }
}
