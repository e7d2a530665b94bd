package dev.weft.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  private final Path dir = Path.of("target", "embedded-kafka-test-" + UUID.randomUUID());

  @AfterEach
  void deleteDir() throws Exception {
    deleteRecursively(dir);
  }

  @Test
  void broker_acceptsAndServesRecords_andKeepsThemAcrossARestartOnTheSameDirectory() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir)) {
      assertTrue(kafka.port() > 0);
      assertEquals("127.0.0.1:" + kafka.port(), kafka.bootstrap());
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
        admin.createTopics(List.of(new NewTopic("embedded.test", 1, (short) 1))).all().get();
      }
      produce(kafka.bootstrap(), "k1", "hello");
      assertEquals(List.of("hello"), consumeAll(kafka.bootstrap(), 1));
      kafka.close();
      kafka.close(); // idempotent
    }

    // Same directory again: already formatted, so it must start without formatting and still hold the record.
    try (EmbeddedKafka again = EmbeddedKafka.start(0, dir)) {
      produce(again.bootstrap(), "k2", "again");
      assertEquals(List.of("hello", "again"), consumeAll(again.bootstrap(), 2));
    }
  }

  private static void produce(String bootstrap, String key, String value) throws Exception {
    Map<String, Object> conf = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(conf, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("embedded.test", key, value)).get();
    }
  }

  private static List<String> consumeAll(String bootstrap, int expected) {
    Map<String, Object> conf = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(conf, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("embedded.test"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  static void deleteRecursively(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
