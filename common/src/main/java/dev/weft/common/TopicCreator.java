package dev.weft.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Weft's topics when absent, at service start. Blocking: call it before serving, off any event loop. */
public final class TopicCreator {

  private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaSettings kafka;

  public TopicCreator(KafkaSettings kafka) {
    this.kafka = kafka;
  }

  public NewTopic inbound() {
    return topic(kafka.topics().inbound(), kafka.inboundPartitions(), Map.of());
  }

  public NewTopic sessions() {
    return topic(kafka.topics().sessions(), kafka.sessionsPartitions(),
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** Receipts: keyed by conversation like the inbound topic, with as many partitions. */
  public NewTopic receipts() {
    return topic(kafka.topics().receipts(), kafka.inboundPartitions(), Map.of());
  }

  /**
   * Group memberships: compacted, the latest snapshot of each group. Keyed by conversation with as many partitions as
   * the inbound topic, so a router finds the groups of the inbound partitions it routes at the same numbers.
   */
  public NewTopic groups() {
    return groups(kafka.inboundPartitions());
  }

  /** The groups topic with this many partitions: those of an inbound topic that exists already. */
  public NewTopic groups(int partitions) {
    return topic(kafka.topics().groups(), partitions,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** The metadata stream for analytics: keyed by conversation like the inbound topic, kept as long (default retention). */
  /** Keyed by recipient: as many partitions as the inbound topic, for as many push workers. */
  public NewTopic push() {
    return topic(kafka.topics().push(), kafka.inboundPartitions(), Map.of());
  }

  /**
   * The server API's orders: compacted (the latest revocation of each user stays), and small: every gateway reads it
   * whole, so a few partitions are plenty.
   */
  public NewTopic control() {
    return topic(kafka.topics().control(), 3, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  public NewTopic metadata() {
    return topic(kafka.topics().metadata(), kafka.inboundPartitions(), Map.of());
  }

  /**
   * Dead letters: records that could never be processed, kept for an operator (one partition: they are rare, and an
   * operator reads them in the order they failed). Default retention, like the inbound topic they mostly come from.
   */
  public NewTopic deadLetters() {
    return topic(kafka.topics().deadLetters(), 1, Map.of());
  }

  /** Typing indicators: keyed by conversation; a minute of retention, since nothing reads them late. */
  public NewTopic typing() {
    return topic(kafka.topics().typing(), kafka.inboundPartitions(),
        Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofMinutes(1).toMillis())));
  }

  /** Gateway heartbeats: compacted, one live record per gateway. */
  public NewTopic gateways() {
    return topic(kafka.topics().gateways(), 1,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** A gateway's delivery topic: only live traffic, so a short retention is enough. */
  public NewTopic deliveries(String gatewayId) {
    return topic(kafka.topics().deliveries(gatewayId), kafka.deliveryPartitions(),
        Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis())));
  }

  /**
   * Waits until the broker answering us knows a leader for every partition. createTopics returns
   * once the controller committed the topic, before brokers applied it; an idempotent producer
   * whose first batch meets NOT_LEADER_OR_FOLLOWER there can get stuck on
   * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen with Kafka 4.4).
   */
  private static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      if (leadersServe(admin, names)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topics " + names + " have no serving leaders after " + TIMEOUT);
      }
      Thread.sleep(50);
    }
  }

  /**
   * True once every partition has a leader that answers a ListOffsets request. The metadata cache
   * names a leader slightly before the leader's replica manager serves the partition, so a leader in
   * describeTopics alone is not enough; ListOffsets is answered by the replica manager itself.
   */
  private static boolean leadersServe(Admin admin, List<String> names) throws InterruptedException, TimeoutException {
    try {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new java.util.HashMap<>();
      for (var d : admin.describeTopics(names).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
        for (var p : d.partitions()) {
          if (p.leader() == null || p.leader().isEmpty()) {
            return false;
          }
          all.put(new org.apache.kafka.common.TopicPartition(d.name(), p.partition()),
              org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
      }
      admin.listOffsets(all).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      return false; // not known or not served yet
    }
  }

  private NewTopic topic(String name, int partitions, Map<String, String> configs) {
    Map<String, String> all = new java.util.HashMap<>(configs);
    all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, kafka.replicationFactor())));
    return new NewTopic(name, partitions, kafka.replicationFactor()).configs(all);
  }

  /**
   * What identifies one incarnation of a topic: its id (a topic deleted and created again under the same name gets a
   * new one, and its offsets start over) and its partition count.
   */
  public record Identity(String id, int partitions) {}

  /** The topic's id and partition count, as the cluster knows them now. */
  public Identity identify(String topic) {
    try (Admin admin = admin()) {
      var d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      return new Identity(d.topicId().toString(), d.partitions().size());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe " + topic + " on " + kafka.bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + kafka.bootstrap() + " did not answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return Admin.create(props);
  }

  /** Creates each topic that does not exist yet; existing ones are left as they are. */
  public void ensure(List<NewTopic> topics) {
    try (Admin admin = admin()) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic t : topics) {
        if (!existing.contains(t.name())) {
          missing.add(t);
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          log.info("created topic {}", entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics on " + kafka.bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + kafka.bootstrap() + " did not answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
