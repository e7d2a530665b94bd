package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ConversationType;
import dev.weft.schemas.Metadata;
import dev.weft.schemas.MetadataKind;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class MessagesPerHourTest {

  private static final Instant NINE = Instant.parse("2026-11-28T09:00:00Z");

  private static Metadata record(MetadataKind kind, ConversationType type, String id, Instant ts) {
    return Metadata.newBuilder().setKind(kind).setConv(type == ConversationType.GROUP ? "g:x" : "dm:a.b").setConvType(type)
        .setId(id).setSeq(0).setUser("alice").setTs(ts.toEpochMilli()).setDetail(null).setTextBytes(5).setAudience(2)
        .setAffected(0).build();
  }

  @Test
  void countsMessagesPerHourByConversationTypeOnceEach(WeftInfra infra) throws Exception {
    String topic = infra.topic("metadata");
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    Properties props = infra.kafkaProps();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    AvroSerde<Metadata> serde = AvroSerde.metadata();
    List<Metadata> records = List.of(
        record(MetadataKind.MESSAGE, ConversationType.DIRECT, "m1", NINE.plusSeconds(60)),
        record(MetadataKind.MESSAGE, ConversationType.DIRECT, "m2", NINE.plusSeconds(3000)),
        record(MetadataKind.MESSAGE, ConversationType.DIRECT, "m2", NINE.plusSeconds(3000)), // written twice
        record(MetadataKind.MESSAGE, ConversationType.GROUP, "m3", NINE.plusSeconds(3700)),
        record(MetadataKind.MEMBERSHIP, ConversationType.GROUP, "e1", NINE.plusSeconds(3600)),
        record(MetadataKind.RECEIPT, ConversationType.DIRECT, null, NINE.plusSeconds(3800)));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      for (Metadata m : records) {
        producer.send(new ProducerRecord<>(topic, m.getConv(), serde.encode(m))).get();
      }
    }
    SortedMap<Instant, Map<ConversationType, Long>> counts = MessagesPerHour.count(infra.kafkaBootstrap(), topic);
    assertEquals(Map.of(ConversationType.DIRECT, 2L), counts.get(NINE));
    assertEquals(Map.of(ConversationType.GROUP, 1L), counts.get(NINE.plusSeconds(3600)));
    assertEquals(2, counts.size());
  }
}
