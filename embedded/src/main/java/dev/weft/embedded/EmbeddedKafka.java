package dev.weft.embedded;

import dev.weft.common.FreePorts;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, one combined broker+controller node) running inside this JVM.
 *
 * <p>For {@code ./weft dev} and the test kit only. The log directory is formatted with a fixed cluster id on first
 * use and reused as is afterwards, so a restart on the same directory keeps its topics and offsets.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** The cluster id every embedded node is formatted with. */
  public static final String CLUSTER_ID = KafkaStorage.CLUSTER_ID;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = KafkaStorage.CONTROLLER_LISTENER;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final int port;
  private final Path logDir;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafka(KafkaRaftServer server, int port, Path logDir) {
    this.server = server;
    this.port = port;
    this.logDir = logDir;
  }

  /**
   * Starts a broker and returns once a client can reach it.
   *
   * @param port the PLAINTEXT port on 127.0.0.1; 0 picks a free one (see {@link #port()})
   * @param logDir where the broker keeps its data; created and formatted if it holds no {@code meta.properties}
   */
  public static EmbeddedKafka start(int port, Path logDir) {
    long started = System.nanoTime();
    Path dir = logDir.toAbsolutePath();
    int brokerPort = port == 0 ? FreePorts.pick() : port;
    int controllerPort = FreePorts.pick();
    KafkaConfig config = KafkaConfig.fromProps(brokerProperties(brokerPort, controllerPort, dir));
    KafkaStorage.formatIfNeeded(dir, NODE_ID);

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    EmbeddedKafka kafka = new EmbeddedKafka(server, brokerPort, dir);
    try {
      server.startup();
      kafka.awaitReady();
    } catch (RuntimeException | Error e) {
      try {
        kafka.close();
      } catch (RuntimeException | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    LOG.info("Embedded Kafka ready at {} in {} ms (data in {})", kafka.bootstrap(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dir);
    return kafka;
  }

  /** The bootstrap address for clients, {@code 127.0.0.1:<port>}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The PLAINTEXT port the broker listens on. */
  public int port() {
    return port;
  }

  /** The broker's log directory. */
  public Path logDir() {
    return logDir;
  }

  /** Stops the broker and waits until it has stopped. Calling it again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long started = System.nanoTime();
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrap(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
  }

  private static Properties brokerProperties(int brokerPort, int controllerPort, Path dir) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    // A static voter set (not a dynamic quorum formatted with --standalone): the controller's address is read from
    // this config on every start, so a restart on the same log directory may use another controller port.
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.toString());

    // One node: every internal topic must fit on it.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "5");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");

    // Consumer groups form at once instead of after the default 3 s.
    p.put("group.initial.rebalance.delay.ms", "0");
    // Weft creates its topics itself; a typo in a topic name must fail, not create a topic.
    p.put("auto.create.topics.enable", "false");
    // The default (128 MiB) is taken from the heap at start; an OutOfMemoryError then makes the broker's fault
    // handler halt the whole JVM.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    return p;
  }

  /** {@code startup()} returns once the broker is unfenced; this proves a client gets through too. */
  private void awaitReady() {
    Map<String, Object> conf = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(conf)) {
      int nodes = admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
      if (nodes == 0) {
        throw new IllegalStateException("Embedded Kafka at " + bootstrap() + " reports no broker");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for embedded Kafka", e);
    } catch (Exception e) {
      throw new IllegalStateException("Embedded Kafka at " + bootstrap() + " did not become ready", e);
    }
  }


}
