package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A delivery Kafka refuses while younger ones of the same partition would succeed: the router must not let them
 * through first. The fault run's hung broker did this (a delivery expired, the producer wrote those queued behind it),
 * and the gateway's cursor, past the late one when it came again, dropped it: acked, stored, never delivered.
 */
@WeftIntegrationTest
class DeliveryOrderAfterFailureTest {

  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final Map<String, String> FAST_SENDERS = Map.of("WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000");

  @Test
  @DisplayName("when Kafka refuses one delivery to a gateway, nothing routed after it reaches that gateway first; once it"
      + " is taken, a resuming socket gets every message once, in seq order, the refused one included")
  void aRefusedDeliveryHoldsBackTheYoungerOnesAndIsDeliveredInOrderOnceTaken(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, FAST_SENDERS);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("order-alice"), null);
        WsClient bob = WsClient.resume(fabric.port(1), fabric.token("order-bob"), "phone", "new");
        Admin admin = Admin.create(infra.kafkaProps())) {
      assertEquals("synced", bob.await(f -> "synced".equals(f.getString("op")), WAIT).getString("op"));
      fabric.awaitRoutable(2);
      ConfigResource deliveries = new ConfigResource(ConfigResource.Type.TOPIC, infra.topic("deliver.gw-1"));
      // Small enough that one large delivery is refused, large enough for the short ones around it.
      alter(admin, deliveries, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096"), AlterConfigOp.OpType.SET));

      // Random text, so compression cannot shrink it under the limit. Sent back to back with the short ones, so they are
      // routed while its delivery is still in flight.
      byte[] noise = new byte[9000];
      new Random(7).nextBytes(noise);
      List<String> texts = new ArrayList<>();
      texts.add("short before");
      texts.add(Base64.getEncoder().encodeToString(noise));
      for (int i = 0; i < 5; i++) {
        texts.add("short after " + i);
      }
      for (int i = 0; i < texts.size(); i++) {
        alice.send(new JsonObject().put("op", "send").put("ref", "o" + i).put("to", "order-bob").put("text", texts.get(i)));
      }
      List<JsonObject> acks = alice.collect(f -> "ack".equals(f.getString("op")), texts.size(), WAIT);
      List<Long> ackedSeqs = acks.stream().map(a -> a.getLong("seq")).toList();

      // While it is refused, the router retries it, with backoff; then the topic takes it.
      Thread.sleep(3_000);
      alter(admin, deliveries, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""), AlterConfigOp.OpType.DELETE));

      List<JsonObject> got = messages(bob, texts.size());
      List<Long> seqs = got.stream().map(m -> m.getLong("seq")).toList();
      assertEquals(ackedSeqs, seqs, "every message reaches bob, once, in seq order");
      assertEquals(texts, got.stream().map(m -> m.getString("text")).toList());
      Thread.sleep(1_000);
      List<JsonObject> after = bob.drain().stream().filter(f -> "msg".equals(f.getString("op"))).toList();
      assertTrue(after.isEmpty(), "nothing comes twice: " + after);
    }
  }

  /** The msg frames a socket gets until {@code count} came or the wait is over: fewer is for the assertion to report. */
  private static List<JsonObject> messages(WsClient c, int count) throws InterruptedException {
    List<JsonObject> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < count && System.nanoTime() < deadline) {
      c.drain().stream().filter(f -> "msg".equals(f.getString("op"))).forEach(got::add);
      Thread.sleep(50);
    }
    return got;
  }

  private static void alter(Admin admin, ConfigResource topic, AlterConfigOp op) throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(topic, List.of(op));
    admin.incrementalAlterConfigs(ops).all().get();
  }
}
