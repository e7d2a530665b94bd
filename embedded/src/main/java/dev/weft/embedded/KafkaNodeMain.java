package dev.weft.embedded;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One node of a multi-node KRaft cluster as a process of its own, so a fault run can SIGKILL or SIGSTOP one broker
 * ({@code ./weft chaos}). Every node names the one controller; brokers are numbered from 1.
 *
 * <p>Settings: WEFT_KAFKA_NODE_ROLE (controller or broker), WEFT_KAFKA_NODE_ID, WEFT_KAFKA_NODE_PORT (the broker's
 * PLAINTEXT port, or the controller's port), WEFT_KAFKA_CONTROLLER_PORT, WEFT_KAFKA_NODE_DIR, WEFT_KAFKA_BROKERS (how
 * many brokers the cluster has: the internal topics' replication factor, default 3). Prints
 * {@value #READY} once it serves.
 */
public final class KafkaNodeMain {

  public static final String READY = "kafka node ready";

  private KafkaNodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    KafkaNode node;
    long t0 = System.nanoTime();
    try {
      Env env = new Env(System.getenv());
      String role = env.string("WEFT_KAFKA_NODE_ROLE", "broker");
      if (!role.equals("broker") && !role.equals("controller")) {
        throw new ConfigException("WEFT_KAFKA_NODE_ROLE=" + role + ": expected broker or controller");
      }
      KafkaNode.Spec spec = new KafkaNode.Spec(role.equals("controller"), env.integer("WEFT_KAFKA_NODE_ID", 1, 0, 1000),
          env.integer("WEFT_KAFKA_NODE_PORT", 0, 1, 65535), env.integer("WEFT_KAFKA_CONTROLLER_PORT", 0, 1, 65535),
          Path.of(env.string("WEFT_KAFKA_NODE_DIR", ".weft/kafka-node")).toAbsolutePath(),
          env.integer("WEFT_KAFKA_BROKERS", 3, 1, 32));
      node = KafkaNode.start(spec);
    } catch (ConfigException e) {
      System.err.println("kafka node: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println(READY + ": " + node + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "kafka-node-shutdown"));
    stopped.await();
  }
}
