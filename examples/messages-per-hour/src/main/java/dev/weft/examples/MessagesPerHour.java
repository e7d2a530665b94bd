package dev.weft.examples;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ConversationType;
import dev.weft.schemas.Metadata;
import dev.weft.schemas.MetadataKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Messages per hour (UTC) by conversation type, from Weft's body-free metadata stream. Reads the topic from the
 * beginning to where it ends when the job starts, so a run is a snapshot; records are deduplicated by message id,
 * since the stream is written at least once.
 *
 * <p>Usage: {@code MessagesPerHour [bootstrap] [topic]} (defaults: localhost:9092, weft.metadata).
 */
public final class MessagesPerHour {

  private MessagesPerHour() {}

  public static void main(String[] args) {
    String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
    String topic = args.length > 1 ? args[1] : "weft.metadata";
    SortedMap<Instant, Map<ConversationType, Long>> counts = count(bootstrap, topic);
    System.out.println("hour (UTC)            direct   group");
    counts.forEach((hour, byType) -> System.out.printf("%s  %7d %7d%n", hour,
        byType.getOrDefault(ConversationType.DIRECT, 0L), byType.getOrDefault(ConversationType.GROUP, 0L)));
  }

  /** Reads {@code topic} up to its current end and counts messages per hour and conversation type. */
  public static SortedMap<Instant, Map<ConversationType, Long>> count(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroSerde<Metadata> serde = AvroSerde.metadata();
    SortedMap<Instant, Map<ConversationType, Long>> counts = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Metadata m = serde.decode(r.value());
          if (m.getKind() == MetadataKind.MESSAGE && seen.add(m.getId())) {
            Instant hour = Instant.ofEpochMilli(m.getTs()).truncatedTo(ChronoUnit.HOURS);
            counts.computeIfAbsent(hour, h -> new EnumMap<>(ConversationType.class)).merge(m.getConvType(), 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }
}
