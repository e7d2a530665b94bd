package dev.weft.persister.kafka;

import dev.weft.persister.config.PersisterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Waits until the persisters' group has stored everything already in a conversation's partition,
 * so a read that follows sees every message Kafka held when the wait began. Blocking: worker threads only.
 *
 * <p>It reads the group's committed offsets, so it holds whichever persister instance owns the
 * partition: each commits only after its database transaction.
 */
public final class PersistedBarrier implements AutoCloseable {

  private final Admin admin;
  private final String topic;
  private final String group;
  private final int partitions;

  public PersistedBarrier(PersisterConfig config) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap());
    this.admin = Admin.create(props);
    this.topic = config.kafka().topics().inbound();
    this.group = config.group();
    try {
      this.partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).partitions().size();
    } catch (Exception e) {
      admin.close();
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
    }
  }

  /** The partition Kafka's default partitioner gives a conversation id (the inbound key). */
  TopicPartition partitionOf(String conv) {
    byte[] key = conv.getBytes(StandardCharsets.UTF_8);
    return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % partitions);
  }

  /** True once everything in the conversation's partition is stored; false if that takes longer than the timeout. */
  public boolean await(String conv, Duration timeout) throws Exception {
    TopicPartition tp = partitionOf(conv);
    long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
    // Only this partition's commit: the group may own hundreds.
    ListConsumerGroupOffsetsSpec onlyThis = new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      OffsetAndMetadata committed = admin.listConsumerGroupOffsets(Map.of(group, onlyThis))
          .partitionsToOffsetAndMetadata(group).get(10, TimeUnit.SECONDS).get(tp);
      if (end == 0 || (committed != null && committed.offset() >= end)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
