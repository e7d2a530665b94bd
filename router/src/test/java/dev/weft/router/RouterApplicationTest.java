package dev.weft.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.schemas.Delivery;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The router against a real broker, with the test acting as gateways (see {@link Fabric}). */
@WeftIntegrationTest
class RouterApplicationTest {

  private static Fabric fabric(WeftInfra infra, Map<String, String> settings) {
    return new Fabric(infra.env(Fabric.routerSettings(settings)));
  }

  private static List<Long> seqs(Collection<Delivery> deliveries) {
    return deliveries.stream().map(Delivery::getSeq).toList();
  }

  @Test
  void routesEachMessageToEveryGatewayHoldingARecipient(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwB = f.gateway("gw-b");
      Fabric.Gateway gwC = f.gateway("gw-c");
      f.announce("s-alice", "alice", "gw-a");
      f.announce("s-bob-1", "bob", "gw-b");
      f.announce("s-bob-2", "bob", "gw-c");
      f.startRouter();

      // carol's own socket is not announced (yet): she is a member without sessions
      org.apache.kafka.clients.producer.RecordMetadata sent =
          f.publishAsync("conv-1", "carol", "s-carol", List.of("alice", "bob", "carol"), "hello").get(30, java.util.concurrent.TimeUnit.SECONDS);
      long seq = sent.offset();

      Delivery a = gwA.awaitCount(1).get(0);
      Delivery b = gwB.awaitCount(1).get(0);
      Delivery c = gwC.awaitCount(1).get(0);
      assertEquals(List.of("alice"), a.getRecipients());
      assertEquals(List.of("bob"), b.getRecipients());
      assertEquals(List.of("bob"), c.getRecipients());
      for (Delivery d : List.of(a, b, c)) {
        assertEquals("conv-1", d.getConv());
        assertEquals(seq, d.getSeq());
        assertEquals("carol", d.getFrom());
        assertEquals("s-carol", d.getFromSession());
        assertEquals("hello", d.getText());
        assertEquals(sent.partition(), d.getPartition());
      }
      // Keyed by inbound partition, so the partition's order holds in every delivery partition.
      assertEquals(List.of(Integer.toString(sent.partition())), gwA.keys());
      assertEquals(1, gwA.deliveries().size());
      assertEquals(1, gwB.deliveries().size());
      assertEquals(1, gwC.deliveries().size());
    }
  }

  @Test
  void sendsNothingToAGatewayWhereTheSendersOnlySocketIsTheSendingOne(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwB = f.gateway("gw-b");
      f.announce("s-alice", "alice", "gw-a");
      f.announce("s-bob", "bob", "gw-b");
      f.startRouter();

      long first = f.publish("conv-1", "alice", "s-alice", List.of("alice", "bob"), "from alice");
      long second = f.publish("conv-1", "bob", "s-bob", List.of("alice", "bob"), "from bob");

      // Same conversation, same order: once gw-a has the second message, the first one was routed too.
      assertEquals(List.of(second), seqs(gwA.awaitCount(1)));
      assertEquals(List.of(first), seqs(gwB.awaitCount(1)));
    }
  }

  @Test
  void keepsConversationOrderPerGateway(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of("WEFT_ROUTER_MAX_POLL_RECORDS", "7"))) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwB = f.gateway("gw-b");
      f.announce("s-alice-1", "alice", "gw-a");
      f.announce("s-alice-2", "alice", "gw-a");
      f.announce("s-bob", "bob", "gw-b");
      f.startRouter();

      int n = 500;
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(f.publishAsync("conv-1", "alice", "s-alice-1", List.of("alice", "bob"), "m" + i));
      }
      List<Long> offsets = sent.stream().map(Fabric::offsetOf).toList();

      List<Delivery> atB = gwB.awaitCount(n);
      assertEquals(offsets, seqs(atB));
      assertEquals(offsets, seqs(gwA.awaitCount(n)));
      for (int i = 0; i < n; i++) {
        assertEquals("m" + i, atB.get(i).getText());
      }
    }
  }

  @Test
  void retractedSessionsGetNothing(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwB = f.gateway("gw-b");
      f.announce("s-alice", "alice", "gw-a");
      f.announce("s-bob", "bob", "gw-b");
      f.retract("s-bob");
      f.announce("s-carol", "carol", "gw-b");
      f.startRouter();

      long toBob = f.publish("conv-1", "dave", "s-dave", List.of("alice", "bob", "dave"), "bob is gone");
      long toCarol = f.publish("conv-1", "dave", "s-dave", List.of("alice", "bob", "carol", "dave"), "carol joined");

      // Same conversation: when carol's delivery is on gw-b, bob's message was routed before it.
      List<Delivery> atB = gwB.awaitCount(1);
      assertEquals(List.of(toCarol), seqs(atB));
      assertEquals(List.of("carol"), atB.get(0).getRecipients());
      List<Delivery> atA = gwA.awaitCount(2);
      assertEquals(List.of(toBob, toCarol), seqs(atA));
      assertTrue(atA.stream().allMatch(d -> d.getRecipients().equals(List.of("alice"))));
    }
  }

  @Test
  void rebuildsTheSessionTableFromKafkaOnRestart(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwB = f.gateway("gw-b");
      Fabric.Gateway gwC = f.gateway("gw-c");
      f.announce("s-alice", "alice", "gw-a");
      f.announce("s-bob-old", "bob", "gw-c");
      f.announce("s-bob", "bob", "gw-b");
      f.retract("s-bob-old");

      RouterApplication first = f.startRouter();
      long m1 = f.publish("conv-1", "carol", "s-carol", List.of("alice", "bob", "carol"), "before restart");
      gwB.awaitCount(1);
      gwA.awaitCount(1);
      first.close();

      f.startRouter();
      long m2 = f.publish("conv-1", "carol", "s-carol", List.of("alice", "bob", "carol"), "after restart");

      // A clean stop commits what it routed: the new router neither loses nor repeats anything.
      assertEquals(List.of(m1, m2), seqs(gwB.awaitCount(2)));
      assertEquals(List.of(m1, m2), seqs(gwA.awaitCount(2)));
      assertEquals(List.of("bob"), gwB.deliveries().get(1).getRecipients());
      assertTrue(gwC.deliveries().isEmpty());
    }
  }

  @Test
  void deliversEveryMessageAcrossARestartMidStream(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of("WEFT_ROUTER_MAX_POLL_RECORDS", "20"))) {
      Fabric.Gateway gwB = f.gateway("gw-b");
      f.announce("s-bob", "bob", "gw-b");
      RouterApplication first = f.startRouter();

      // Messages keep coming while the router stops and a new one starts; seven conversations span partitions.
      int n = 3000;
      CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
        List<Future<RecordMetadata>> inFlight = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          inFlight.add(f.publishAsync("conv-" + (i % 7), "alice", "s-alice", List.of("alice", "bob"), "m" + i));
          if (inFlight.size() == 10) { // a gateway's pace, roughly: a few in flight at a time
            inFlight.forEach(Fabric::offsetOf);
            inFlight.clear();
          }
        }
        inFlight.forEach(Fabric::offsetOf);
      });

      await().atMost(Fabric.WAIT).pollInSameThread().until(() -> gwB.deliveries().size() >= 300);
      first.close();
      int beforeRestart = gwB.deliveries().size();
      f.startRouter();
      publisher.get(60, TimeUnit.SECONDS);
      assertTrue(beforeRestart < n, "the router stopped mid-stream");

      List<Delivery> all = gwB.awaitDeliveries(d -> d.stream().map(Delivery::getText).distinct().count() >= n);
      assertEquals(n, all.stream().map(Delivery::getText).distinct().count(), "every message delivered");
      // A clean stop finishes and commits the batch in hand, so nothing is delivered twice either.
      assertEquals(n, all.size(), "no message delivered twice after a clean stop");
      for (int c = 0; c < 7; c++) {
        String conv = "conv-" + c;
        List<Long> perConv = seqs(all.stream().filter(d -> d.getConv().equals(conv)).toList());
        assertEquals(perConv.stream().sorted().toList(), perConv, "order of " + conv);
      }
    }
  }

  @Test
  void commitsOnlyRoutedMessages(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwA = f.gateway("gw-a");
      Fabric.Gateway gwX = f.gateway("gw-x");
      // gw-x's topic refuses every write: no batch fits in one byte. (A min.insync.replicas above the replication
      // factor does not do it: the broker caps it at the replication factor.)
      setMaxMessageBytes(f, "gw-x", "1");
      f.announce("s-alice", "alice", "gw-a");
      f.announce("s-bob", "bob", "gw-x");
      f.startRouter();

      Future<RecordMetadata> sent = f.publishAsync("conv-1", "carol", "s-carol", List.of("alice", "bob"), "hi");
      long seq = Fabric.offsetOf(sent);
      int partition = f.inboundPartitionOf(sent);

      // The router routes the batch again and again (gw-a gets the message each time) and commits nothing.
      gwA.awaitCount(3);
      assertTrue(f.committed(partition) <= seq, "nothing committed past an undelivered message");
      assertTrue(gwX.deliveries().isEmpty());

      setMaxMessageBytes(f, "gw-x", "1048588");

      assertEquals(List.of(seq), seqs(gwX.awaitCount(1)));
      await().atMost(Fabric.WAIT).until(() -> f.committed(partition) == seq + 1);
      assertTrue(gwA.deliveries().stream().allMatch(d -> d.getSeq() == seq), "only copies of that one message");
    }
  }

  private static void setMaxMessageBytes(Fabric f, String gateway, String bytes) throws Exception {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, f.kafka.topics().deliveries(gateway));
    AlterConfigOp set = new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, bytes), AlterConfigOp.OpType.SET);
    f.admin().incrementalAlterConfigs(Map.of(topic, List.of(set))).all().get(30, TimeUnit.SECONDS);
  }

  @Test
  void skipsAnUndecodableRecord(WeftInfra infra) throws Exception {
    try (Fabric f = fabric(infra, Map.of())) {
      Fabric.Gateway gwB = f.gateway("gw-b");
      f.announce("s-bob", "bob", "gw-b");
      f.startRouter();

      f.publishRaw("conv-1", "not avro at all".getBytes(StandardCharsets.UTF_8));
      f.publishRaw("conv-1", null);
      Future<RecordMetadata> good = f.publishAsync("conv-1", "alice", "s-alice", List.of("alice", "bob"), "still here");
      long seq = Fabric.offsetOf(good);

      Delivery d = gwB.awaitCount(1).get(0);
      assertEquals(seq, d.getSeq());
      assertEquals("still here", d.getText());
      int partition = f.inboundPartitionOf(good);
      await().atMost(Fabric.WAIT).until(() -> f.committed(partition) == seq + 1);
      assertEquals(1, gwB.deliveries().size());
    }
  }
}
