package dev.weft.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/** The commit rules every group consumer follows, in one place. Owner thread of the consumer only. */
public final class OffsetCommits {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private OffsetCommits() {}

  /** Commits synchronously; a commit that {@code close()}'s wakeup interrupts is made again, since closing waits for it. */
  public static void commitSync(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets, TIMEOUT);
    } catch (WakeupException e) {
      consumer.commitSync(offsets, TIMEOUT);
    }
  }

  /**
   * On revocation: takes the revoked partitions' offsets out of {@code done} and commits them, so their next owner
   * starts after what was done here. A failed commit is logged: the next owner then replays from the last one.
   */
  public static void commitRevoked(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> done,
      Collection<TopicPartition> partitions, Logger log, String who) {
    Map<TopicPartition, OffsetAndMetadata> revoked = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = done.remove(tp);
      if (o != null) {
        revoked.put(tp, o);
      }
    }
    if (revoked.isEmpty()) {
      return;
    }
    try {
      commitSync(consumer, revoked);
    } catch (RuntimeException e) {
      log.warn("{}: could not commit revoked partitions {} ({}); their next owner replays from the last commit",
          who, revoked.keySet(), e.toString());
    }
  }
}
