package dev.weft.common;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Waiting for a step of a shutdown under a deadline: a step that fails or overruns is logged, and the shutdown goes on. */
public final class Deadlines {

  private Deadlines() {}

  public static void awaitQuietly(CompletionStage<?> step, Duration deadline, Logger log, String what) {
    try {
      step.toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("{}: interrupted", what);
    } catch (Exception e) {
      log.warn("{} did not finish within {}: {}", what, deadline, e.toString());
    }
  }
}
