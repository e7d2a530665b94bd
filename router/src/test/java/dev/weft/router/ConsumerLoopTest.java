package dev.weft.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The common consumer loop against a real broker. Here rather than in common, whose tests cannot use the test kit
 * (the kit builds on common).
 */
@WeftIntegrationTest
class ConsumerLoopTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aBatchWhoseWorkFailsIsHandedOverAgainAfterABackoffAndCommittedOnlyOnceItsWorkIsDone(WeftInfra infra) throws Exception {
    String topic = createTopicWith(infra, "loop-retry", 3);
    String group = infra.topic("loop-retry-group");
    AtomicInteger tries = new AtomicInteger();
    List<Long> firstOffsets = new CopyOnWriteArrayList<>();
    List<Long> committedDuringWork = new CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Admin admin = Admin.create(infra.kafkaProps());
        ConsumerLoop loop = new ConsumerLoop(settings("test-retry", true), consumer(infra, group), List.of(topic),
            (records, c) -> {
              firstOffsets.add(records.iterator().next().offset());
              committedDuringWork.add(committed(admin, group, topic));
              if (tries.incrementAndGet() <= 2) {
                throw new IllegalStateException("the store is away");
              }
            }, registry, e -> {})) {
      loop.start();
      await().atMost(WAIT).until(() -> committed(admin, group, topic) == 3);
      assertEquals(List.of(0L, 0L, 0L), firstOffsets.subList(0, 3), "the failed batch came again from its first record");
      assertEquals(List.of(-1L, -1L, -1L), committedDuringWork.subList(0, 3), "nothing was committed before the work was done");
      assertEquals(2.0, registry.get("weft.consumer.retries").tag("loop", "test-retry").counter().count());
      assertTrue(loop.running());
    }
  }

  @Test
  void anErrorNoRetryCuresStopsTheLoopAndSaysSoWhileClosingCommitsWhatIsDone(WeftInfra infra) throws Exception {
    String topic = createTopicWith(infra, "loop-fatal", 2);
    String group = infra.topic("loop-fatal-group");
    AtomicReference<Throwable> heard = new AtomicReference<>();
    AtomicInteger batches = new AtomicInteger();
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      // Asynchronous commits after the work, then close: what was done is committed by the close.
      try (ConsumerLoop loop = new ConsumerLoop(settings("test-close", false), consumer(infra, group), List.of(topic),
          (records, c) -> batches.addAndGet(records.count()), new SimpleMeterRegistry(), e -> {})) {
        loop.start();
        await().atMost(WAIT).until(() -> batches.get() == 2);
      }
      assertEquals(2, committed(admin, group, topic), "closing committed what was done");

      produce(infra, topic, 1);
      try (ConsumerLoop loop = new ConsumerLoop(settings("test-fatal", true), consumer(infra, group), List.of(topic),
          (records, c) -> {
            throw new TopicAuthorizationException("not allowed to write the delivery topic");
          }, new SimpleMeterRegistry(), heard::set)) {
        loop.start();
        await().atMost(WAIT).until(() -> heard.get() != null);
        assertTrue(heard.get() instanceof TopicAuthorizationException, String.valueOf(heard.get()));
        await().atMost(WAIT).until(() -> !loop.running());
        assertEquals(heard.get(), loop.fatalError());
      }
      assertEquals(2, committed(admin, group, topic), "the record whose work failed is not committed");
      assertFalse(batches.get() > 2);
    }
  }

  @Test
  void aTailReadsOnlyWhatIsWrittenAfterItIsPositionedAndTellsTheRebalanceListenerNothing(WeftInfra infra) throws Exception {
    String topic = createTopicWith(infra, "loop-tail", 3);
    List<String> read = new CopyOnWriteArrayList<>();
    Properties p = infra.kafkaProps();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (ConsumerLoop loop = new ConsumerLoop(settings("test-tail", false),
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()), ConsumerLoop.Source.tail(topic),
        (records, c) -> records.forEach(r -> read.add(new String(r.value(), StandardCharsets.UTF_8))),
        new SimpleMeterRegistry(), e -> {})) {
      loop.start();
      loop.awaitPositioned(WAIT);
      produce(infra, topic, 2); // r0, r1 again: after the three written before the start
      await().atMost(WAIT).until(() -> read.size() >= 2);
      Thread.sleep(300); // one more poll: nothing else comes
      assertEquals(List.of("r0", "r1"), read, "only what came after the start");
      assertTrue(loop.healthy());
    }
  }

  @Test
  void aGroupLoopTellsItsListenerOfPartitionsAssignedAndGoneAndABatchThatFailsMarksItUnhealthyUntilOneSucceeds(
      WeftInfra infra) throws Exception {
    String topic = createTopicWith(infra, "loop-rebalance", 1);
    String group = infra.topic("loop-rebalance-group");
    List<String> moves = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger tries = new AtomicInteger();
    ConsumerLoop.Rebalance listener = new ConsumerLoop.Rebalance() {
      @Override
      public void assigned(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> moves.add("assigned " + tp.partition()));
      }

      @Override
      public void gone(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> moves.add("gone " + tp.partition()));
      }
    };
    ConsumerLoop loop = new ConsumerLoop(new ConsumerLoop.Settings("test-rebalance", Duration.ofMillis(200),
        Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(5), true), consumer(infra, group),
        ConsumerLoop.Source.group(List.of(topic), listener), (records, c) -> {
          if (tries.incrementAndGet() == 1) {
            throw new IllegalStateException("the store is away");
          }
          release.countDown();
        }, new SimpleMeterRegistry(), e -> {});
    try (loop) {
      loop.start();
      await().atMost(WAIT).until(() -> tries.get() == 1);
      // Marked after the work threw, on the loop's thread: wait for it within the 300 ms backoff.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> !loop.healthy());
      assertFalse(loop.healthy(), "backing off after a failed batch");
      assertTrue(loop.running());
      await().atMost(WAIT).until(() -> release.getCount() == 0 && loop.healthy());
    }
    assertEquals(List.of("assigned 0", "gone 0"), moves);
  }

  private static ConsumerLoop.Settings settings(String name, boolean waitForCommit) {
    return new ConsumerLoop.Settings(name, Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(200),
        Duration.ofSeconds(5), waitForCommit);
  }

  private static KafkaConsumer<String, byte[]> consumer(WeftInfra infra, String group) {
    Properties p = infra.kafkaProps();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static String createTopicWith(WeftInfra infra, String name, int records) throws Exception {
    String topic = infra.topic(name);
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    produce(infra, topic, records);
    return topic;
  }

  private static void produce(WeftInfra infra, String topic, int records) throws Exception {
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        p.send(new ProducerRecord<>(topic, "k", ("r" + i).getBytes(StandardCharsets.UTF_8))).get();
      }
    }
  }

  /** The group's committed offset of partition 0, or -1. */
  private static long committed(Admin admin, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
    return o == null ? -1 : o.offset();
  }
}
