package dev.weft.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;

/**
 * A node of a KRaft cluster with a separate controller: either the controller (a quorum of one) or one of several
 * brokers. The settings are a production cluster's where they matter to a fault run: every internal topic and every
 * created topic at the cluster's replication factor, {@code min.insync.replicas} 2, and Kafka's own failure detection
 * ({@code broker.session.timeout.ms}) left at its default.
 */
final class KafkaNode implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  /**
   * @param controller the controller, not a broker
   * @param nodeId the controller's id, or a broker's (1, 2, …)
   * @param port the PLAINTEXT port of a broker, or the controller's port for the controller itself
   * @param controllerPort the controller's port (every node names it as the only voter)
   * @param dir the node's log directory, formatted on first use and reused after a restart
   * @param brokers how many brokers the cluster has
   */
  record Spec(boolean controller, int nodeId, int port, int controllerPort, Path dir, int brokers) {}

  private final Spec spec;
  private final KafkaRaftServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaNode(Spec spec, KafkaRaftServer server) {
    this.spec = spec;
    this.server = server;
  }

  static KafkaNode start(Spec spec) {
    KafkaStorage.formatIfNeeded(spec.dir(), spec.nodeId());
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties(spec)), Time.SYSTEM);
    KafkaNode node = new KafkaNode(spec, server);
    server.startup();
    if (!spec.controller()) {
      node.awaitReady();
    }
    return node;
  }

  private static Properties properties(Spec s) {
    String cl = KafkaStorage.CONTROLLER_LISTENER;
    Properties p = new Properties();
    p.put("node.id", String.valueOf(s.nodeId()));
    p.put("controller.quorum.voters", controllerId(s) + "@127.0.0.1:" + s.controllerPort());
    p.put("controller.listener.names", cl);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + cl + ":PLAINTEXT");
    p.put("log.dirs", s.dir().toString());
    if (s.controller()) {
      p.put("process.roles", "controller");
      p.put("listeners", cl + "://127.0.0.1:" + s.controllerPort());
    } else {
      p.put("process.roles", "broker");
      p.put("listeners", "PLAINTEXT://127.0.0.1:" + s.port());
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + s.port());
      p.put("inter.broker.listener.name", "PLAINTEXT");
    }
    String rf = String.valueOf(s.brokers());
    String minIsr = String.valueOf(Math.min(2, s.brokers()));
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("share.coordinator.state.topic.num.partitions", "5");
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", minIsr);
    // A replica that was out of the ISR must never become leader: that is how acknowledged writes get lost.
    p.put("unclean.leader.election.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // See EmbeddedKafka: the default takes 128 MiB of heap at start.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    return p;
  }

  private static int controllerId(Spec s) {
    return s.controller() ? s.nodeId() : 0;
  }

  private void awaitReady() {
    Map<String, Object> conf = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + spec.port(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(conf)) {
      admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka node " + spec.nodeId(), e);
    } catch (Exception e) {
      throw new IllegalStateException("Kafka node " + spec.nodeId() + " on port " + spec.port() + " did not become ready", e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  @Override
  public String toString() {
    return (spec.controller() ? "controller " : "broker ") + spec.nodeId() + " on 127.0.0.1:" + spec.port()
        + " (data in " + spec.dir() + ")";
  }
}
