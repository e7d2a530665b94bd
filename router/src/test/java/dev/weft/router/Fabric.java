package dev.weft.router;

import static org.awaitility.Awaitility.await;

import dev.weft.common.Env;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Delivery;
import dev.weft.schemas.InboundMessage;
import dev.weft.schemas.SessionAnnouncement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The rest of the fabric as a router test needs it, with plain Kafka clients: gateways that announce sessions,
 * publish inbound messages and read their delivery topics. Used from the test thread only.
 */
final class Fabric implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  final Env env;
  final KafkaSettings kafka;
  final RouterConfig routerConfig;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final AvroSerde<InboundMessage> inboundSerde = AvroSerde.inboundMessage();
  private final AvroSerde<SessionAnnouncement> sessionSerde = AvroSerde.sessionAnnouncement();

  Fabric(Env env) {
    this.env = env;
    this.kafka = KafkaSettings.from(env);
    this.routerConfig = RouterConfig.from(env);
    TopicCreator creator = new TopicCreator(kafka);
    creator.ensure(List.of(creator.inbound(), creator.sessions(), creator.gateways()));
    this.producer = new KafkaProducer<>(KafkaClientProps.producer(kafka, "test-fabric"));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    this.admin = Admin.create(p);
  }

  /** Settings every router test wants: its own consumer group, quick retries. */
  static Map<String, String> routerSettings(Map<String, String> more) {
    Map<String, String> m = new java.util.HashMap<>(Map.of(
        "WEFT_ROUTER_GROUP", "router-" + UUID.randomUUID(),
        "WEFT_ROUTER_ID", "test",
        "WEFT_ROUTER_RETRY_BACKOFF_MS", "50",
        "WEFT_ROUTER_RETRY_BACKOFF_MAX_MS", "500",
        "WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS", "15000"));
    m.putAll(more);
    return m;
  }

  Admin admin() {
    return admin;
  }

  RouterApplication startRouter() {
    RouterApplication router = RouterApplication.start(routerConfig);
    toClose.add(router);
    return router;
  }

  /** A gateway's delivery topic (created as a gateway does) and a reader of it from its beginning. */
  Gateway gateway(String id) {
    TopicCreator creator = new TopicCreator(kafka);
    creator.ensure(List.of(creator.deliveries(id)));
    return gatewayOnExistingTopic(id);
  }

  /** A gateway whose delivery topic the test created itself. */
  Gateway gatewayOnExistingTopic(String id) {
    Gateway g = new Gateway(kafka, id);
    toClose.add(g);
    return g;
  }

  void announce(String session, String user, String gateway) {
    SessionAnnouncement a = new SessionAnnouncement(session, user, "d-" + session, gateway, System.currentTimeMillis(), false);
    send(kafka.topics().sessions(), session, sessionSerde.encode(a));
  }

  void retract(String session) {
    send(kafka.topics().sessions(), session, null);
  }

  /** Publishes a message as a gateway does; returns its sequence number (its inbound offset). */
  long publish(String conv, String from, String fromSession, List<String> members, String text) {
    return offsetOf(publishAsync(conv, from, fromSession, members, text));
  }

  Future<RecordMetadata> publishAsync(String conv, String from, String fromSession, List<String> members, String text) {
    // The builder, so a field added with a default needs no change here.
    InboundMessage m = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(conv).setFrom(from)
        .setFromDevice("d-" + fromSession).setFromSession(fromSession).setRef("ref-" + text).setMembers(members)
        .setTs(System.currentTimeMillis()).setGateway("gw-test").setText(text).build();
    return producer.send(new ProducerRecord<>(kafka.topics().inbound(), conv, inboundSerde.encode(m)));
  }

  /** Writes raw bytes to the inbound topic; returns the offset. */
  long publishRaw(String conv, byte[] value) {
    return offsetOf(producer.send(new ProducerRecord<>(kafka.topics().inbound(), conv, value)));
  }

  static long offsetOf(Future<RecordMetadata> f) {
    try {
      return f.get(30, TimeUnit.SECONDS).offset();
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("publish failed", e);
    }
  }

  int inboundPartitionOf(Future<RecordMetadata> f) {
    try {
      return f.get(30, TimeUnit.SECONDS).partition();
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("publish failed", e);
    }
  }

  private void send(String topic, String key, byte[] value) {
    offsetOf(producer.send(new ProducerRecord<>(topic, key, value)));
  }

  /** The router group's committed offset on an inbound partition, or -1 when none. */
  long committed(int partition) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(routerConfig.group())
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      OffsetAndMetadata o = offsets.get(new TopicPartition(kafka.topics().inbound(), partition));
      return o == null ? -1 : o.offset();
    } catch (Exception e) {
      throw new AssertionError("cannot read committed offsets", e);
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }

  /** A gateway's side of its delivery topic. */
  static final class Gateway implements AutoCloseable {
    final String id;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, Delivery>> received = new ArrayList<>();
    private final AvroSerde<Delivery> serde = AvroSerde.delivery();

    private Gateway(KafkaSettings kafka, String id) {
      this.id = id;
      String topic = kafka.topics().deliveries(id);
      this.consumer = new KafkaConsumer<>(KafkaClientProps.consumer(kafka, "test-" + id, null));
      // A topic created a moment ago may not be in this client's metadata yet: partitionsFor answers empty then.
      List<TopicPartition> partitions = await().atMost(WAIT).pollInSameThread()
          .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
              .map(p -> new TopicPartition(topic, p.partition())).toList(), ps -> !ps.isEmpty());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Everything received so far (reads what has arrived first). */
    List<Delivery> deliveries() {
      for (var r : consumer.poll(Duration.ofMillis(100))) {
        received.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), serde.decode(r.value())));
      }
      return received.stream().map(ConsumerRecord::value).toList();
    }

    List<String> keys() {
      deliveries();
      return received.stream().map(ConsumerRecord::key).toList();
    }

    /** Waits until what was received satisfies the condition; returns it. */
    List<Delivery> awaitDeliveries(Predicate<List<Delivery>> condition) {
      await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(50)).until(this::deliveries, condition);
      return deliveries();
    }

    List<Delivery> awaitCount(int n) {
      return awaitDeliveries(d -> d.size() >= n);
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
