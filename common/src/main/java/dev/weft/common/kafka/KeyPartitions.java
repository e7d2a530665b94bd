package dev.weft.common.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition Kafka's producer puts a string key in, when no partitioner is configured: murmur2 of its UTF-8 bytes,
 * modulo the partition count. Two topics keyed alike with as many partitions hold each key at the same number, which
 * is what lets a router own a conversation's messages and its group together.
 */
public final class KeyPartitions {

  private KeyPartitions() {}

  public static int of(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
