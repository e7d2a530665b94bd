package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ConversationType;
import dev.weft.schemas.Metadata;
import dev.weft.schemas.MetadataKind;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The metadata stream: one body-free record per message, receipt and membership change. */
@WeftIntegrationTest
class MetadataStreamTest {

  @Test
  @DisplayName("the metadata stream holds one record per message, receipt and membership change, and no body text")
  void oneRecordPerMessageReceiptAndMembershipChangeWithoutBodies(WeftInfra infra) throws Exception {
    String secret = "secret-body-" + UUID.randomUUID();
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("md-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("md-bob"), null);
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("md-carol"), null)) {
      fabric.awaitRoutable(3);
      List<JsonObject> direct = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        alice.send(new JsonObject().put("op", "send").put("ref", "d" + i).put("to", "md-bob").put("text", secret + " " + i));
        direct.add(alice.await(f -> "ack".equals(f.getString("op")), Duration.ofSeconds(20)));
      }
      bob.send(new JsonObject().put("op", "receipt").put("ref", "r").put("conv", direct.get(2).getString("conv"))
          .put("kind", "read").put("seq", direct.get(2).getLong("seq")));
      bob.await(f -> "r".equals(f.getString("ref")), Duration.ofSeconds(20));
      GroupsTest groups = new GroupsTest();
      JsonObject created = groups.create(carol, "g", "club", List.of("md-alice"));
      JsonObject added = groups.change(carol, "group_add", "a", created.getString("conv"), List.of("md-bob"));
      JsonObject inGroup = groups.say(carol, "m", created.getString("conv"), secret + " in the group");

      List<ConsumerRecord<String, byte[]>> records = readAll(infra, 7);
      AvroSerde<Metadata> serde = AvroSerde.metadata();
      List<Metadata> all = records.stream().map(r -> serde.decode(r.value())).toList();
      for (ConsumerRecord<String, byte[]> r : records) {
        assertFalse(new String(r.value(), StandardCharsets.ISO_8859_1).contains("secret-body"), "no body in " + r);
      }
      Set<String> messages = all.stream().filter(m -> m.getKind() == MetadataKind.MESSAGE).map(Metadata::getId)
          .collect(Collectors.toSet());
      assertEquals(Set.of(direct.get(0).getString("id"), direct.get(1).getString("id"), direct.get(2).getString("id"),
          inGroup.getString("id")), messages);
      List<Metadata> receipts = all.stream().filter(m -> m.getKind() == MetadataKind.RECEIPT).toList();
      assertEquals(1, receipts.size());
      assertEquals("read", receipts.get(0).getDetail());
      assertEquals("md-bob", receipts.get(0).getUser());
      List<Metadata> membership = all.stream().filter(m -> m.getKind() == MetadataKind.MEMBERSHIP).toList();
      assertEquals(List.of("created", "added"), membership.stream().map(Metadata::getDetail).toList());
      assertEquals(Set.of(created.getString("id"), added.getString("id")),
          membership.stream().map(Metadata::getId).collect(Collectors.toSet()));
      Metadata groupMessage = all.stream().filter(m -> inGroup.getString("id").equals(m.getId())).findFirst().orElseThrow();
      assertEquals(ConversationType.GROUP, groupMessage.getConvType());
      assertEquals(3, groupMessage.getAudience(), "carol, alice and bob");
      assertEquals((secret + " in the group").getBytes(StandardCharsets.UTF_8).length, groupMessage.getTextBytes());
    }
  }

  /** Reads the metadata topic from the beginning until {@code count} records came, then a little longer for extras. */
  private static List<ConsumerRecord<String, byte[]>> readAll(WeftInfra infra, int count) {
    Properties props = infra.kafkaProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, infra.topic("metadata-reader"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(infra.topic("metadata")));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (out.size() >= count && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
      }
    }
    return out;
  }
}
