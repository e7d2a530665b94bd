package dev.weft.persister.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;

/**
 * One barrier wait shared by every request that arrives while another is under way: those wait for the next round,
 * which starts (asks Kafka for its end offsets) after they arrived, so each is answered after a barrier taken after
 * it, and a burst of thousands of requests (a gateway's users reconnecting, each loading its groups) costs a few
 * rounds instead of one wait each on {@link BarrierPool}'s few threads.
 */
final class SharedBarrier {

  private final BarrierPool pool;
  private final Callable<long[]> wait;
  private Future<long[]> running;
  private Promise<long[]> queued;

  SharedBarrier(BarrierPool pool, Callable<long[]> wait) {
    this.pool = pool;
    this.wait = wait;
  }

  /** Completes once a barrier taken after this call is passed, with the end offsets it waited for. */
  synchronized Future<long[]> await() {
    if (running == null) {
      return start();
    }
    if (queued == null) {
      queued = Promise.promise();
    }
    return queued.future();
  }

  private Future<long[]> start() {
    Future<long[]> round = pool.run(wait);
    running = round;
    round.onComplete(r -> next());
    return round;
  }

  private synchronized void next() {
    running = null;
    if (queued != null) {
      Promise<long[]> waiting = queued;
      queued = null;
      start().onComplete(waiting);
    }
  }
}
