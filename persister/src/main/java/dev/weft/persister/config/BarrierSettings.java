package dev.weft.persister.config;

import dev.weft.common.Env;

/**
 * How many catch-up barriers (waits until the persisters stored everything Kafka holds) may run at once. Each one
 * polls Kafka for every partition's commits for up to 5 s on a thread of its own, and a reconnect loop with
 * {@code cursor=new} or a forged cursor asks for one per attempt; unbounded, they would take every worker thread and
 * starve history reads. Past the bound a read is answered 503 {@code busy} at once.
 *
 * @param concurrency WEFT_BARRIER_CONCURRENCY: barrier waits that run at once, each on its own thread of a pool apart
 *     from the database's (default 4)
 * @param queueMax WEFT_BARRIER_QUEUE_MAX: barrier waits that may wait for a thread; more get 503 {@code busy}
 *     (default 32)
 */
public record BarrierSettings(int concurrency, int queueMax) {

  public static BarrierSettings from(Env env) {
    return new BarrierSettings(
        env.integer("WEFT_BARRIER_CONCURRENCY", 4, 1, 256),
        env.integer("WEFT_BARRIER_QUEUE_MAX", 32, 0, 100_000));
  }
}
