package dev.weft.tools;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code weft topics regroup}: gives the groups topic as many partitions as the inbound topic, keeping every group.
 * Routers find a conversation's group at its messages' partition number, so they refuse to start otherwise; a cluster
 * made before that rule has a groups topic of {@code WEFT_SESSIONS_PARTITIONS}. Adding partitions would move keys, and
 * a compacted topic's old records would stay where they were, so the topic is rebuilt: with the routers stopped, the
 * latest snapshot of each group is read, written to a backup file, the topic deleted and created again, and the
 * snapshots written back. {@code --from-backup FILE} writes a backup's snapshots (after a run that stopped half way).
 */
final class GroupsRepartition {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final KafkaSettings kafka;
  private final String routerGroup;
  private final PrintStream out;

  GroupsRepartition(KafkaSettings kafka, String routerGroup, PrintStream out) {
    this.kafka = kafka;
    this.routerGroup = routerGroup;
    this.out = out;
  }

  /** Thrown for a state the tool will not act in; its message says what to do. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** Rebuilds the groups topic, keeping a backup in {@code backupDir}. */
  void run(Path backupDir) throws Refused, IOException, InterruptedException, ExecutionException, TimeoutException {
    String groups = kafka.topics().groups();
    try (Admin admin = TopicsMain.admin(kafka)) {
      int inbound = partitions(admin, kafka.topics().inbound());
      int now = partitions(admin, groups);
      if (now == inbound) {
        out.println(groups + " already has " + inbound + " partitions, as " + kafka.topics().inbound() + ": nothing to do");
        return;
      }
      requireRoutersStopped(admin);
      Map<String, byte[]> latest = readAll(groups);
      Path backup = backupDir.resolve(groups + "-" + System.currentTimeMillis() + ".backup");
      writeBackup(backup, latest);
      out.println("read " + latest.size() + " groups from " + groups + " (" + now + " partitions); backup in " + backup);
      admin.deleteTopics(List.of(groups)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitGone(admin, groups);
      create(admin, inbound);
      writeAll(groups, latest);
      out.println("wrote " + latest.size() + " groups to " + groups + " (" + inbound + " partitions); routers may start");
    }
  }

  /** Writes a backup's snapshots to the groups topic, creating it co-partitioned when it is missing. */
  void restore(Path backup) throws Refused, IOException, InterruptedException, ExecutionException, TimeoutException {
    String groups = kafka.topics().groups();
    Map<String, byte[]> latest = readBackup(backup);
    try (Admin admin = TopicsMain.admin(kafka)) {
      int inbound = partitions(admin, kafka.topics().inbound());
      if (!admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(groups)) {
        create(admin, inbound);
      }
      int now = partitions(admin, groups);
      if (now != inbound) {
        throw new Refused(groups + " has " + now + " partitions, not " + inbound + ": run weft topics regroup first");
      }
      requireRoutersStopped(admin);
    }
    writeAll(groups, latest);
    out.println("wrote " + latest.size() + " groups from " + backup + " to " + groups);
  }

  private void requireRoutersStopped(Admin admin) throws Refused, InterruptedException, ExecutionException, TimeoutException {
    org.apache.kafka.clients.admin.ConsumerGroupDescription group;
    try {
      group = admin.describeConsumerGroups(List.of(routerGroup)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(routerGroup);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
        return; // no router ever joined: none is running
      }
      throw e;
    }
    if (group != null && !group.members().isEmpty()) {
      throw new Refused("stop the routers first: their group " + routerGroup + " has " + group.members().size()
          + " members (a router writes group snapshots while it routes)");
    }
  }

  private int partitions(Admin admin, String topic) throws Refused, InterruptedException, TimeoutException {
    try {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic).partitions().size();
    } catch (ExecutionException e) {
      throw new Refused("cannot describe " + topic + " on " + kafka.bootstrap() + ": " + e.getCause().getMessage());
    }
  }

  private void create(Admin admin, int partitions) throws InterruptedException, ExecutionException, TimeoutException {
    admin.createTopics(List.of(new TopicCreator(kafka).groups(partitions))).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void awaitGone(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(topic + " was still listed " + TIMEOUT.toSeconds() + " s after its deletion");
      }
      Thread.sleep(200);
    }
  }

  /** The latest value of every key, in the order first met; a tombstone removes its key. */
  private Map<String, byte[]> readAll(String topic) {
    Map<String, byte[]> latest = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClientProps.consumer(kafka, "weft-topics-regroup", null))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within 30 minutes");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() == null) {
            continue;
          }
          if (r.value() == null) {
            latest.remove(r.key());
          } else {
            latest.put(r.key(), r.value());
          }
        }
      }
    }
    return latest;
  }

  private void writeAll(String topic, Map<String, byte[]> latest)
      throws InterruptedException, ExecutionException, TimeoutException {
    Properties p = KafkaClientProps.producer(kafka, "weft-topics-regroup");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>(latest.size());
      latest.forEach((k, v) -> sends.add(producer.send(new ProducerRecord<>(topic, k, v))));
      producer.flush();
      for (Future<RecordMetadata> f : sends) {
        f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // each one written, or the run fails and says so
      }
    }
  }

  /** A count, then each key and value, length-prefixed. */
  static void writeBackup(Path file, Map<String, byte[]> latest) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      o.writeInt(latest.size());
      for (var e : latest.entrySet()) {
        byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
        o.writeInt(k.length);
        o.write(k);
        o.writeInt(e.getValue().length);
        o.write(e.getValue());
      }
    }
  }

  static Map<String, byte[]> readBackup(Path file) throws IOException {
    Map<String, byte[]> latest = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        byte[] k = new byte[in.readInt()];
        in.readFully(k);
        byte[] v = new byte[in.readInt()];
        in.readFully(v);
        latest.put(new String(k, StandardCharsets.UTF_8), v);
      }
    } catch (EOFException e) {
      throw new IOException(file + " is cut short: not a whole backup", e);
    }
    return latest;
  }

}
