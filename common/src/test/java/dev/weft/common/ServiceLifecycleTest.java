package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ServiceLifecycleTest {

  @Test
  void stopsWhatStartedNewestFirstAndOnlyOnce() {
    List<String> stopped = new CopyOnWriteArrayList<>();
    ServiceLifecycle life = new ServiceLifecycle("test", Duration.ofSeconds(5));
    life.started("table", () -> stopped.add("table"));
    life.started("routing", () -> stopped.add("routing"));
    life.started("ops", () -> stopped.add("ops"));
    life.close();
    life.close();
    assertEquals(List.of("ops", "routing", "table"), stopped);
  }

  @Test
  void aStepThatFailsStopsEverythingStartedBeforeItAndThrowsItsError() {
    List<String> stopped = new CopyOnWriteArrayList<>();
    ServiceLifecycle life = new ServiceLifecycle("test", Duration.ofSeconds(5));
    life.started("groups", () -> stopped.add("groups"));
    life.started("sessions", () -> stopped.add("sessions"));
    IllegalStateException cause = new IllegalStateException("the session table did not load");
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> life.starting("loading", () -> {
      throw cause;
    }));
    assertSame(cause, thrown);
    assertEquals(List.of("sessions", "groups"), stopped);
  }

  @Test
  void aPartThatHangsIsLeftBehindAtTheDeadlineAndTheOthersAreStillStopped() throws Exception {
    List<String> stopped = new CopyOnWriteArrayList<>();
    CountDownLatch never = new CountDownLatch(1);
    ServiceLifecycle life = new ServiceLifecycle("test", Duration.ofMillis(300));
    life.started("table", () -> stopped.add("table"));
    life.started("hung", never::await);
    long start = System.nanoTime();
    life.close();
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(List.of("table"), stopped, "the part started before the hung one is stopped too");
    assertTrue(tookMs < 5_000, "close gave up on the hung part: took " + tookMs + " ms");
    never.countDown();
  }
}
