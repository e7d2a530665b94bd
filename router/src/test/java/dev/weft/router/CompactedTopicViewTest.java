package dev.weft.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The consumer kit's compacted-topic view against a real broker (here rather than in common, whose tests cannot use
 * the test kit): it holds what it is asked to, loads before it says so, and forgets what it releases.
 */
@WeftIntegrationTest
class CompactedTopicViewTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What the view applied: key → "partition:value", and the partitions it dropped. */
  private static final class Kept implements CompactedTopicView.Sink {
    final Map<String, String> values = new ConcurrentHashMap<>();
    final List<Integer> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void apply(ConsumerRecord<String, byte[]> r) {
      values.put(r.key(), r.partition() + ":" + new String(r.value(), StandardCharsets.UTF_8));
    }

    @Override
    public void drop(int partition) {
      dropped.add(partition);
      values.values().removeIf(v -> v.startsWith(partition + ":"));
    }
  }

  @Test
  void aHoldCompletesOnlyOnceItsPartitionsAreReadToTheirEndAndAReleaseDropsThemUntilHeldAgain(WeftInfra infra)
      throws Exception {
    String topic = infra.topic("view");
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int part = 0; part < 3; part++) {
        for (int i = 0; i < 200; i++) {
          p.send(new ProducerRecord<>(topic, part, "k" + part + "-" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
        }
      }
    }
    Kept kept = new Kept();
    try (CompactedTopicView view = new CompactedTopicView(topic, "view-test", consumer(infra), kept)) {
      view.start();
      view.hold(List.of(0, 2)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(view.loaded(0) && view.loaded(2));
      assertFalse(view.loaded(1), "never asked for");
      assertEquals(400, kept.values.size(), "everything partitions 0 and 2 held when asked for, and nothing of 1");
      assertTrue(kept.values.keySet().stream().noneMatch(k -> k.startsWith("k1-")));
      assertTrue(view.caughtUpTo(Map.of(new TopicPartition(topic, 0), 200L, new TopicPartition(topic, 1), 999L)),
          "a partition not held does not count");

      // Held partitions are followed: a record written now is applied, and fresh() waits for it.
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(),
          new ByteArraySerializer())) {
        p.send(new ProducerRecord<>(topic, 2, "k2-0", "later".getBytes(StandardCharsets.UTF_8))).get();
      }
      view.fresh().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals("2:later", kept.values.get("k2-0"));

      view.release(List.of(2)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertFalse(view.loaded(2));
      assertEquals(List.of(2), kept.dropped);
      assertEquals(200, kept.values.size(), "partition 2 forgotten");

      // Released then held again, in that order: read from the beginning, the later value last.
      view.release(List.of(0));
      view.hold(List.of(0, 1, 2)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(List.of(2, 0), kept.dropped);
      assertEquals(600, kept.values.size());
      assertEquals("2:later", kept.values.get("k2-0"));
    }
  }

  @Test
  void anEmptyTopicIsLoadedAtOnceAndAClosedViewFailsWhatIsAskedOfIt(WeftInfra infra) throws Exception {
    String topic = infra.topic("view-empty");
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    CompactedTopicView view = new CompactedTopicView(topic, "view-empty", consumer(infra), new Kept());
    view.start();
    view.holdAll().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(2, view.partitionCount());
    assertTrue(view.loaded(0) && view.loaded(1));
    view.close();
    await().atMost(WAIT).until(() -> view.hold(List.of(0)).isCompletedExceptionally());
  }

  private static KafkaConsumer<String, byte[]> consumer(WeftInfra infra) {
    return new KafkaConsumer<>(infra.kafkaProps(), new StringDeserializer(), new ByteArrayDeserializer());
  }
}
