package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesUpToTheCapAndStartsOverAfterReset() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    assertEquals(100, b.nextDelayMs());
    assertEquals(200, b.nextDelayMs());
    assertEquals(400, b.nextDelayMs());
    assertEquals(800, b.nextDelayMs());
    assertEquals(1000, b.nextDelayMs());
    for (int i = 0; i < 100; i++) {
      assertEquals(1000, b.nextDelayMs());
    }
    b.reset();
    assertEquals(100, b.nextDelayMs());
  }
}
