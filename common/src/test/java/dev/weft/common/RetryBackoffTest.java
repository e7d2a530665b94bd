package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.kafka.RetryBackoff;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  @Test
  void eachDelayIsBetweenHalfAndAllOfADoublingStepCappedAtTheMaximumAndStartsOverAfterReset() {
    RetryBackoff b = new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
    for (long ceiling : ceilings) {
      long d = b.nextDelayMs();
      assertTrue(d >= ceiling / 2 && d <= ceiling, d + " not within [" + ceiling / 2 + ", " + ceiling + "]");
    }
    assertEquals(ceilings.length, b.failures());
    for (int i = 0; i < 1000; i++) {
      assertTrue(b.nextDelayMs() <= 1000, "never past the cap, however many failures");
    }
    b.reset();
    assertEquals(0, b.failures());
    long first = b.nextDelayMs();
    assertTrue(first >= 50 && first <= 100, "after a reset, the first step again: " + first);
  }

  @Test
  void delaysOfMembersThatFailedTogetherSpreadOut() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int member = 0; member < 50; member++) {
      RetryBackoff b = new RetryBackoff(Duration.ofMillis(1000), Duration.ofMillis(10_000));
      seen.add(b.nextDelayMs());
    }
    assertTrue(seen.size() > 10, "50 members retrying at once would come back at " + seen.size() + " instants");
  }

  @Test
  void refusesABackoffThatCouldSpinOrNeverGrow() {
    assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
