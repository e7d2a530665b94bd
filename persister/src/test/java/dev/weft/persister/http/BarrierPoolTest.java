package dev.weft.persister.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.persister.config.BarrierSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BarrierPoolTest {

  private final Vertx vertx = Vertx.vertx();
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void pastItsThreadsAndQueueAWaitIsRefusedAtOnceAndRoomComesBackAfter() throws Exception {
    BarrierPool pool = new BarrierPool(vertx, new BarrierSettings(1, 1), registry);
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> running = pool.run(() -> release.await(10, TimeUnit.SECONDS));
    Future<Boolean> queued = pool.run(() -> true);
    Future<Boolean> refused = pool.run(() -> true);
    assertTrue(refused.failed(), "refused without waiting");
    assertInstanceOf(BarrierPool.Full.class, refused.cause());
    assertEquals(1.0, registry.counter("weft.persister.barrier.refused").count());
    release.countDown();
    assertTrue(await(running));
    assertTrue(await(queued));
    assertEquals("again", await(pool.run(() -> "again")), "a slot is given back when a wait ends");
  }

  @Test
  void aFailedWaitGivesItsSlotBack() throws Exception {
    BarrierPool pool = new BarrierPool(vertx, new BarrierSettings(1, 0), registry);
    Future<Object> failed = pool.run(() -> {
      throw new java.util.concurrent.TimeoutException("behind");
    });
    try {
      await(failed);
    } catch (Exception expected) {
      // the wait's own failure
    }
    assertEquals(1, await(pool.run(() -> 1)));
  }
}
