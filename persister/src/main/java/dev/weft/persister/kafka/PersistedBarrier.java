package dev.weft.persister.kafka;

import dev.weft.persister.config.PersisterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Waits until a persister group has stored everything already in a topic (one conversation's partition, or every
 * partition), so a read that follows sees every record Kafka held when the wait began. Blocking: worker threads only.
 *
 * <p>It reads the group's committed offsets, so it holds whichever persister instance owns the
 * partition: each commits only after its database transaction. Three streams: the inbound topic with the persister
 * group, the receipts topic with the receipts group ({@link ReceiptPersister#group}), and the sessions topic with the
 * sessions group ({@link SessionsPersister#group}).
 */
public final class PersistedBarrier implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  /** One topic and the group that stores it. */
  private record Stream(String topic, String group, int partitions) {}

  private final Admin admin;
  private final Stream inbound;
  private final Stream receipts;
  private final Stream sessions;

  public PersistedBarrier(PersisterConfig config) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap());
    this.admin = Admin.create(props);
    String inboundTopic = config.kafka().topics().inbound();
    String receiptsTopic = config.kafka().topics().receipts();
    String sessionsTopic = config.kafka().topics().sessions();
    try {
      Map<String, TopicDescription> topics = admin.describeTopics(List.of(inboundTopic, receiptsTopic, sessionsTopic))
          .allTopicNames().get(30, TimeUnit.SECONDS);
      this.inbound = new Stream(inboundTopic, config.group(), topics.get(inboundTopic).partitions().size());
      this.receipts = new Stream(receiptsTopic, ReceiptPersister.group(config), topics.get(receiptsTopic).partitions().size());
      this.sessions = new Stream(sessionsTopic, SessionsPersister.group(config), topics.get(sessionsTopic).partitions().size());
    } catch (Exception e) {
      admin.close();
      throw new IllegalStateException("cannot describe " + inboundTopic + ", " + receiptsTopic + " and " + sessionsTopic
          + ": " + e.getMessage(), e);
    }
  }

  /** Partitions of the inbound topic: the length of a catch-up cursor. Fixed for the life of a cluster. */
  public int inboundPartitions() {
    return inbound.partitions();
  }

  /** The partition Kafka's default partitioner gives a conversation id (the inbound key). */
  TopicPartition partitionOf(String conv) {
    byte[] key = conv.getBytes(StandardCharsets.UTF_8);
    return new TopicPartition(inbound.topic(), Utils.toPositive(Utils.murmur2(key)) % inbound.partitions());
  }

  /** True once everything in the conversation's partition is stored; false if that takes longer than the timeout. */
  public boolean await(String conv, Duration timeout) throws Exception {
    TopicPartition tp = partitionOf(conv);
    try {
      awaitCommitted(inbound.group(), ends(List.of(tp)), timeout);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  /**
   * Waits until every inbound message is stored; returns the end offsets it waited for, indexed by partition.
   *
   * @throws TimeoutException when that takes longer than the timeout
   */
  public long[] awaitInbound(Duration timeout) throws Exception {
    return awaitAll(inbound, timeout);
  }

  /**
   * Waits until every receipt is stored; returns the end offsets it waited for, indexed by partition.
   *
   * @throws TimeoutException when that takes longer than the timeout
   */
  public long[] awaitReceipts(Duration timeout) throws Exception {
    return awaitAll(receipts, timeout);
  }

  /**
   * Waits until every sessions record is stored; returns the end offsets it waited for, indexed by partition.
   *
   * @throws TimeoutException when that takes longer than the timeout
   */
  public long[] awaitSessions(Duration timeout) throws Exception {
    return awaitAll(sessions, timeout);
  }

  private long[] awaitAll(Stream stream, Duration timeout) throws Exception {
    List<TopicPartition> all = new ArrayList<>(stream.partitions());
    for (int p = 0; p < stream.partitions(); p++) {
      all.add(new TopicPartition(stream.topic(), p));
    }
    Map<TopicPartition, Long> ends = ends(all);
    awaitCommitted(stream.group(), ends, timeout);
    long[] out = new long[stream.partitions()];
    for (TopicPartition tp : all) {
      out[tp.partition()] = ends.get(tp);
    }
    return out;
  }

  private Map<TopicPartition, Long> ends(List<TopicPartition> partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition tp : partitions) {
      latest.put(tp, OffsetSpec.latest());
    }
    Map<TopicPartition, ListOffsetsResultInfo> found = admin.listOffsets(latest).all()
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> ends = new HashMap<>();
    found.forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** Polls the group's commits until each partition's reaches its end; an empty partition needs none. */
  private void awaitCommitted(String group, Map<TopicPartition, Long> ends, Duration timeout) throws Exception {
    List<TopicPartition> waiting = new ArrayList<>();
    ends.forEach((tp, end) -> {
      if (end > 0) {
        waiting.add(tp);
      }
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!waiting.isEmpty()) {
      // Only these partitions' commits: the group may own hundreds.
      ListConsumerGroupOffsetsSpec only = new ListConsumerGroupOffsetsSpec().topicPartitions(List.copyOf(waiting));
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(Map.of(group, only))
          .partitionsToOffsetAndMetadata(group).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      waiting.removeIf(tp -> {
        OffsetAndMetadata c = committed.get(tp);
        return c != null && c.offset() >= ends.get(tp);
      });
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("group " + group + " has not stored " + waiting + " within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
