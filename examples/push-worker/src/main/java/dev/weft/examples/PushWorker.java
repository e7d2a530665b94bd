package dev.weft.examples;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.PushNotice;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A push worker: reads Weft's push notices ({@code weft.push}) in a consumer group and hands each to a {@link Sender}
 * (where an app calls APNs or FCM with the device tokens it keeps), once per recipient and message: notices are
 * written at least once. Offsets are committed after the sends, so a crash sends again rather than never.
 *
 * <p>Usage: {@code PushWorker [bootstrap] [topic] [group]} (defaults: localhost:9092, weft.push, push-worker): prints
 * what it would send.
 */
public final class PushWorker {

  /** What an app does with a notice: look up the recipient's device tokens and call APNs or FCM. */
  public interface Sender {
    void send(PushNotice notice) throws Exception;
  }

  /** How many (recipient, id) pairs are remembered to drop a notice written twice. */
  private static final int REMEMBERED = 100_000;

  private PushWorker() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
    String topic = args.length > 1 ? args[1] : "weft.push";
    String group = args.length > 2 ? args[2] : "push-worker";
    run(bootstrap, topic, group, n -> System.out.printf("push to %s: %s in %s (%s)%s%n", n.getRecipient(), n.getFrom(),
        n.getConv(), n.getReason(), n.getPreview().isEmpty() ? "" : ": " + n.getPreview()), null);
  }

  /** Sends every notice of {@code topic}; returns once nothing came for {@code idle} (null: never). */
  public static void run(String bootstrap, String topic, String group, Sender sender, Duration idle) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroSerde<PushNotice> serde = AvroSerde.pushNotice();
    Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > REMEMBERED;
      }
    };
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (idle == null || System.nanoTime() - quietSince < idle.toNanos()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
          continue;
        }
        quietSince = System.nanoTime();
        for (ConsumerRecord<String, byte[]> r : records) {
          PushNotice n = serde.decode(r.value());
          if (seen.put(n.getRecipient() + "\u0000" + n.getId(), Boolean.TRUE) == null) {
            sender.send(n);
          }
        }
        consumer.commitSync();
      }
    }
  }
}
