package dev.weft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.PushNotice;
import dev.weft.schemas.PushReason;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class PushWorkerTest {

  private static PushNotice notice(String recipient, String id, PushReason reason) {
    return PushNotice.newBuilder().setRecipient(recipient).setConv("dm:a.b").setId(id).setSeq(1).setFrom("alice")
        .setTs(0).setReason(reason).setPreview("").build();
  }

  @Test
  void sendsEachNoticeOncePerRecipientAndMessage(WeftInfra infra) throws Exception {
    String topic = infra.topic("push");
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    Properties props = infra.kafkaProps();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    AvroSerde<PushNotice> serde = AvroSerde.pushNotice();
    List<PushNotice> written = List.of(notice("bob", "m1", PushReason.OFFLINE), notice("carol", "m1", PushReason.OFFLINE),
        notice("bob", "m1", PushReason.OFFLINE), // written twice (a router replayed its batch)
        notice("bob", "m2", PushReason.UNDELIVERED));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      for (PushNotice n : written) {
        producer.send(new ProducerRecord<>(topic, n.getRecipient(), serde.encode(n))).get();
      }
    }
    List<String> sent = new ArrayList<>();
    PushWorker.run(infra.kafkaBootstrap(), topic, infra.topic("push-worker"),
        n -> sent.add(n.getRecipient() + " " + n.getId() + " " + n.getReason()), Duration.ofSeconds(3));
    assertEquals(List.of("bob m1 OFFLINE", "bob m2 UNDELIVERED", "carol m1 OFFLINE"), sent.stream().sorted().toList());
  }
}
