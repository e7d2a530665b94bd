package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.InboundMessage;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** No record, whatever it holds, stalls a partition: what can never be processed goes to the dead-letter topic. */
@WeftIntegrationTest
class DeadLetterTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("an undecodable record and one whose delivery Kafka refuses as too large go to the dead-letter topic, with"
      + " where they came from and why, once per service that met them, and the conversation's next message is delivered"
      + " and stored")
  void recordsThatCanNeverBeProcessedAreDeadLetteredAndTheirPartitionMovesOn(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("dl-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("dl-bob"), null)) {
      fabric.awaitRoutable(2);
      String conv = ConversationIds.direct("dl-alice", "dl-bob");
      long garbageAt;
      long hugeAt;
      Properties props = infra.kafkaProps();
      // Compressed, the record is small enough for the broker; its delivery, written by the router, is not.
      props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        garbageAt = p.send(new ProducerRecord<>(infra.topic("inbound"), conv, "not avro".getBytes(StandardCharsets.UTF_8)))
            .get().offset();
        InboundMessage huge = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(conv)
            .setFrom("dl-alice").setFromDevice("d1").setFromSession("s-huge").setRef("huge")
            .setMembers(List.of("dl-alice", "dl-bob")).setTs(1L).setGateway("gw-1").setText("h".repeat(1_100_000)).build();
        hugeAt = p.send(new ProducerRecord<>(infra.topic("inbound"), conv, AvroSerde.inboundMessage().encode(huge)))
            .get().offset();
      }

      alice.send(new JsonObject().put("op", "send").put("ref", "after").put("to", "dl-bob").put("text", "after the poison"));
      JsonObject ack = alice.await(f -> "after".equals(f.getString("ref")), WAIT);
      assertEquals("ack", ack.getString("op"), ack.encode());
      JsonObject got = bob.await(f -> "msg".equals(f.getString("op")), WAIT);
      assertEquals("after the poison", got.getString("text"), "the poison records are never delivered");

      // The persister stores the large one (texts up to 16 MiB fit its table); what it cannot store, PersisterTest covers.
      List<Map<String, String>> dead = awaitDeadLetters(infra, 3);
      assertEquals(3, dead.size(), dead.toString());
      assertTrue(dead.contains(Map.of("service", "router", "reason", "undecodable", "offset", String.valueOf(garbageAt))), dead.toString());
      assertTrue(dead.contains(Map.of("service", "router", "reason", "too_large", "offset", String.valueOf(hugeAt))), dead.toString());
      assertTrue(dead.contains(Map.of("service", "persister", "reason", "undecodable", "offset", String.valueOf(garbageAt))), dead.toString());

      String metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + fabric.router.opsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith("weft_deadletter_records_total{") && l.contains("reason=\"too_large\"")
          && !l.endsWith(" 0.0")), "the router counts its dead letters:\n" + metrics.lines().filter(l -> l.contains("deadletter")).toList());
      // The messages after the undecodable one are stored: the persister moved on as well.
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> fabric.persister.persisted() >= 2);
    }
  }

  /** The dead-letter topic's records, as (service, reason, offset) header triples, once at least {@code count} are there. */
  private static List<Map<String, String>> awaitDeadLetters(WeftInfra infra, int count) {
    List<Map<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(infra.kafkaProps(), new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(infra.topic("deadletter"), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          Map<String, String> h = new HashMap<>();
          for (Header header : r.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
          }
          assertEquals(infra.topic("inbound"), h.get("weft.dlt.topic"), h.toString());
          out.add(Map.of("service", h.get("weft.dlt.service"), "reason", h.get("weft.dlt.reason"), "offset", h.get("weft.dlt.offset")));
        }
      }
    }
    return out;
  }
}
