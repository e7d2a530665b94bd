package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.groups.GroupRules;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One admin churning members through a group (the attack of issue 11): removed members used to stay in the group's
 * snapshot forever, so it outgrew Kafka's 1 MiB record limit and the router stalled its partitions for everyone.
 */
@WeftIntegrationTest
class GroupChurnTest {

  private static final Duration STEP = Duration.ofSeconds(20);
  private static final int ROUNDS = 20;
  private static final int PER_FRAME = 880;

  @Test
  @DisplayName("an admin adding and removing 880 fresh 64-character ids 20 times over cannot stop routing: every change"
      + " is applied, the group's record stays bounded, and other users' messages are all delivered")
  void churningMembersCannotStopRouting(WeftInfra infra) throws Exception {
    // The members-added quota (issue 13) would stop this churn after 200 members; it is lifted here so the test still
    // proves what it is about: a group's record stays bounded however many members pass through it.
    try (Fabric fabric = Fabric.start(infra, 1, Map.of("WEFT_SEND_RATE", "10000", "WEFT_SEND_BURST", "10000",
        "WEFT_GROUP_MEMBERS_ADDED_PER_MINUTE", "1000000"));
        WsClient admin = WsClient.connect(fabric.port(1), fabric.token("churn-admin"), null);
        WsClient watcher = WsClient.connect(fabric.port(1), fabric.token("churn-watcher"), null)) {
      fabric.awaitRoutable(2);
      JsonObject created = request(admin, new JsonObject().put("op", "group_create").put("ref", "c").put("title", "churn")
          .put("members", new JsonArray().add("churn-watcher")));
      assertEquals("ack", created.getString("op"), created.encode());
      String conv = created.getString("conv");
      awaitEvent(watcher, created.getString("id"));

      int applied = 0;
      for (int round = 0; round < ROUNDS; round++) {
        int r = round;
        List<String> ids = IntStream.range(0, PER_FRAME).mapToObj(i -> pad("r" + r + "-" + i + "-")).toList();
        for (String op : List.of("group_add", "group_remove")) {
          JsonObject answer = request(admin, new JsonObject().put("op", op).put("ref", op + round).put("conv", conv)
              .put("members", new JsonArray(new ArrayList<>(ids))));
          assertEquals("ack", answer.getString("op"), op + " in round " + round + ": " + answer.encode());
          // The watcher sees each change only after the router applied and stored it.
          awaitEvent(watcher, answer.getString("id"));
          applied++;
        }
      }
      assertEquals(2 * ROUNDS, applied);

      GroupSnapshot last = lastSnapshot(infra, conv);
      assertNotNull(last, "no snapshot of " + conv);
      int former = (int) last.getMembers().stream().filter(m -> m.getLeft() >= 0).count();
      int current = last.getMembers().size() - former;
      assertEquals(2, current, "admin and watcher remain");
      assertTrue(former <= last.getMaxMembers(), "former members kept: " + former + " > " + last.getMaxMembers());
      int bytes = AvroSerde.groupSnapshot().encode(last).length;
      assertTrue(bytes <= GroupRules.MAX_SNAPSHOT_BYTES, "snapshot of " + bytes + " bytes");

      // Fresh users on every partition: each of their messages is delivered.
      int pairs = 24;
      List<WsClient> receivers = new ArrayList<>();
      try (WsClient sender = WsClient.connect(fabric.port(1), fabric.token("churn-bystander"), null)) {
        for (int i = 0; i < pairs; i++) {
          receivers.add(WsClient.connect(fabric.port(1), fabric.token("churn-peer-" + i), null));
        }
        fabric.awaitRoutable(3 + pairs);
        for (int i = 0; i < pairs; i++) {
          JsonObject ack = request(sender, new JsonObject().put("op", "send").put("ref", "dm" + i)
              .put("to", "churn-peer-" + i).put("text", "hello " + i));
          assertEquals("ack", ack.getString("op"), ack.encode());
        }
        for (int i = 0; i < pairs; i++) {
          String text = "hello " + i;
          JsonObject got = receivers.get(i).await(f -> "msg".equals(f.getString("op")), STEP);
          assertEquals(text, got.getString("text"));
        }
      } finally {
        receivers.forEach(WsClient::close);
      }
    }
  }

  private static String pad(String prefix) {
    return prefix + "x".repeat(64 - prefix.length());
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return c.await(f -> ref.equals(f.getString("ref")), STEP);
  }

  private static void awaitEvent(WsClient c, String id) {
    c.await(f -> "event".equals(f.getString("op")) && id.equals(f.getString("id")), STEP);
  }

  /** The highest version of the group's snapshot on the groups topic. */
  private static GroupSnapshot lastSnapshot(WeftInfra infra, String conv) {
    Properties p = infra.kafkaProps();
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = infra.topic("groups");
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      GroupSnapshot best = null;
      long deadline = System.nanoTime() + STEP.toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (conv.equals(r.key()) && r.value() != null) {
            GroupSnapshot s = AvroSerde.groupSnapshot().decode(r.value());
            if (best == null || s.getVersion() > best.getVersion()) {
              best = s;
            }
          }
        }
      }
      return best;
    }
  }
}
