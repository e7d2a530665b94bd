package dev.weft.common;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ControlRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;

/** How every reader of {@code weft.control} (gateways, persisters) reads a record, the same way. */
public final class ControlRecords {

  private ControlRecords() {}

  /** The order, or null for a tombstone or a record that cannot be read (logged, and skipped: it orders nothing). */
  public static ControlRecord read(ConsumerRecord<String, byte[]> r, AvroSerde<ControlRecord> serde, Logger log) {
    if (r.value() == null) {
      return null;
    }
    try {
      return serde.decode(r.value());
    } catch (RuntimeException e) {
      log.warn("skipping a control record that cannot be read at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
          e.toString());
      return null;
    }
  }
}
