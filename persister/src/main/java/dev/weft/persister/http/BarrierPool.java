package dev.weft.persister.http;

import dev.weft.persister.config.BarrierSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs barrier waits on their own bounded pool (WEFT_BARRIER_CONCURRENCY threads, WEFT_BARRIER_QUEUE_MAX waiting), so
 * a flood of catch-ups cannot take the database's threads, and past the bound refuses at once instead of queueing
 * without limit: Vert.x's worker queue has no bound of its own.
 */
final class BarrierPool {

  /** The pool and its queue are full: answered 503 {@code busy}. */
  static final class Full extends Exception {
    Full() {
      super("too many catch-up barriers at once", null, false, false);
    }
  }

  private final WorkerExecutor executor;
  private final int max;
  private final AtomicInteger admitted = new AtomicInteger();

  private final Counter refused;

  BarrierPool(Vertx vertx, BarrierSettings settings, MeterRegistry registry) {
    this.refused = Counter.builder("weft.persister.barrier.refused")
        .description("barrier waits refused because the barrier pool and its queue were full (503 busy)").register(registry);
    this.executor = vertx.createSharedWorkerExecutor("weft-barrier", settings.concurrency());
    this.max = settings.concurrency() + settings.queueMax();
  }

  /** Runs a blocking wait on the pool, or fails with {@link Full} without running it. */
  <T> Future<T> run(Callable<T> wait) {
    if (admitted.incrementAndGet() > max) {
      admitted.decrementAndGet();
      refused.increment();
      return Future.failedFuture(new Full());
    }
    return executor.executeBlocking(wait, false).onComplete(r -> admitted.decrementAndGet());
  }

  Future<Void> close() {
    return executor.close();
  }
}
