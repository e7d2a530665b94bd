package dev.weft.chaos;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Delivery;
import dev.weft.schemas.InboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Routing latency with the synthetic state loaded: writes group messages to the inbound topic at a steady rate, as a
 * gateway would (a member of a synthetic group as the sender, stamped with the time it is written), and reads every
 * synthetic gateway's delivery topic. A delivery's latency is from that stamp to when it is read here: the router's
 * whole hop, broker included, as a gateway would see it.
 */
final class RoutingLatency {

  /** Percentiles of the deliveries read, in ms; how many messages were sent, how many deliveries read. */
  record Result(int sent, int deliveries, double p50, double p99, double max) {
    @Override
    public String toString() {
      return String.format("%d messages, %d deliveries, p50 %.1f ms, p99 %.1f ms, max %.1f ms", sent, deliveries, p50,
          p99, max);
    }
  }

  private RoutingLatency() {}

  /**
   * @param groups synthetic groups with their first member (the sender), as written by the scale run
   * @param warmup sent first and not counted: a router's first batches of a partition pay for its connections
   */
  static Result measure(KafkaSettings kafka, List<String[]> groups, int gateways, int rate, Duration warmup,
      Duration window) {
    AvroSerde<InboundMessage> inbound = AvroSerde.inboundMessage();
    AvroSerde<Delivery> deliveries = AvroSerde.delivery();
    List<Long> latencies = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer(kafka);
         KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
      List<TopicPartition> topics = new ArrayList<>();
      for (int g = 0; g < gateways; g++) {
        for (int p = 0; p < kafka.deliveryPartitions(); p++) {
          topics.add(new TopicPartition(kafka.topics().deliveries("gw-" + g), p));
        }
      }
      consumer.assign(topics);
      consumer.seekToEnd(topics);
      topics.forEach(consumer::position); // from now on, not from whenever the first poll happens
      long start = System.nanoTime();
      long countFrom = start + warmup.toNanos();
      long end = countFrom + window.toNanos();
      long intervalNanos = 1_000_000_000L / rate;
      long next = start;
      int sent = 0;
      java.util.Random random = new java.util.Random(7);
      while (System.nanoTime() < end + Duration.ofSeconds(3).toNanos()) {
        long now = System.nanoTime();
        while (next <= now && next < end) {
          String[] group = groups.get(random.nextInt(groups.size()));
          long ts = System.currentTimeMillis();
          InboundMessage m = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(group[0])
              .setFrom(group[1]).setFromDevice("phone").setFromSession("scale").setRef("r").setMembers(List.of())
              .setTs(ts).setGateway("scale").setText("counted=" + (next >= countFrom)).build();
          producer.send(new ProducerRecord<>(kafka.topics().inbound(), group[0], inbound.encode(m)));
          sent += next >= countFrom ? 1 : 0;
          next += intervalNanos;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
          Delivery d = deliveries.decode(r.value());
          if (d.getText().equals("counted=true")) {
            latencies.add(System.currentTimeMillis() - d.getTs());
          }
        }
        LockSupport.parkNanos(Math.max(0, Math.min(next - System.nanoTime(), 2_000_000)));
      }
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Result(sent, sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99),
          sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** As a gateway publishes: the services' own producer settings. */
  private static KafkaProducer<String, byte[]> producer(KafkaSettings kafka) {
    return new KafkaProducer<>(KafkaClientProps.producer(kafka, "weft-scale-inbound"), new StringSerializer(),
        new ByteArraySerializer());
  }

  /** As a gateway's delivery consumer reads: the message path's fetch settings. */
  private static KafkaConsumer<String, byte[]> consumer(KafkaSettings kafka) {
    return new KafkaConsumer<>(KafkaClientProps.messagePathConsumer(kafka, "weft-scale-deliveries", null),
        new StringDeserializer(), new ByteArrayDeserializer());
  }
}
