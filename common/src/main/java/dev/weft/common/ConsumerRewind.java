package dev.weft.common;

import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;

/** After a failed batch: back to the group's last commit, so the batch is read again. Owner thread only. */
public final class ConsumerRewind {

  private ConsumerRewind() {}

  public static void toCommitted(Consumer<?, ?> consumer, Logger log) {
    try {
      var committed = consumer.committed(consumer.assignment());
      for (TopicPartition tp : consumer.assignment()) {
        OffsetAndMetadata o = committed.get(tp);
        if (o != null) {
          consumer.seek(tp, o.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    } catch (RuntimeException e) {
      // The next poll continues from the current position; a rebalance restarts from the commit anyway.
      log.warn("could not rewind to the last commit: {}", e.toString());
    }
  }
}
