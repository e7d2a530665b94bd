package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.kafka.KeyPartitions;
import dev.weft.router.RouterApplication;
import dev.weft.router.RouterConfig;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Groups follow the inbound partitions: a router holds the groups of the partitions it routes, and no other. */
@WeftIntegrationTest
class GroupsShardedTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PARTITIONS = 3; // the test kit's WEFT_INBOUND_PARTITIONS
  private static final int GROUPS = 12;

  @Test
  @DisplayName("two routers hold disjoint groups, each those of its partitions; when one stops, the other loads its"
      + " groups from the topic and routes their messages")
  void routersHoldTheGroupsOfTheirPartitionsAndTakeOverOnesThatMove(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of("WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000"))) {
      RouterApplication second = fabric.startAnotherRouter("second");
      boolean secondOpen = true;
      try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("shard-alice"), null);
          WsClient bob = WsClient.connect(fabric.port(1), fabric.token("shard-bob"), null)) {
        RouterApplication first = fabric.router;
        Awaitility.await().atMost(WAIT).until(() -> {
          Set<Integer> a = first.routedPartitions();
          Set<Integer> b = second.routedPartitions();
          Set<Integer> all = new HashSet<>(a);
          all.addAll(b);
          return !a.isEmpty() && !b.isEmpty() && all.size() == PARTITIONS && a.size() + b.size() == PARTITIONS;
        });
        Awaitility.await().atMost(WAIT).until(() -> first.knownSessions() >= 2 && second.knownSessions() >= 2);

        List<String> convs = new ArrayList<>();
        for (int i = 0; i < GROUPS; i++) {
          JsonObject ack = request(alice, new JsonObject().put("op", "group_create").put("ref", "c" + i)
              .put("title", "shard " + i).put("members", new JsonArray().add("shard-bob")));
          assertEquals("ack", ack.getString("op"), ack.encode());
          convs.add(ack.getString("conv"));
        }
        Set<Integer> firstOwns = first.routedPartitions();
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
          for (String conv : convs) {
            boolean firstsPartition = firstOwns.contains(KeyPartitions.of(conv, PARTITIONS));
            assertEquals(firstsPartition, first.holdsGroup(conv), conv + " on the first router");
            assertEquals(!firstsPartition, second.holdsGroup(conv), conv + " on the second router");
          }
        });
        assertEquals(GROUPS, first.groupsHeld() + second.groupsHeld());
        assertTrue(convs.stream().anyMatch(c -> !firstOwns.contains(KeyPartitions.of(c, PARTITIONS))),
            "with 12 groups over 3 partitions, some land on the second router");

        second.close();
        secondOpen = false;
        Awaitility.await().atMost(WAIT).until(() -> first.routedPartitions().size() == PARTITIONS);
        for (String conv : convs) {
          assertTrue(first.holdsGroup(conv), conv + " loaded by the router that took its partition over");
        }
        bob.drain();
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < GROUPS; i++) {
          JsonObject ack = request(alice, new JsonObject().put("op", "send").put("ref", "m" + i)
              .put("conv", convs.get(i)).put("text", "after the move " + i));
          assertEquals("ack", ack.getString("op"), ack.encode());
          sent.add(ack.getString("id"));
        }
        Set<String> got = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!got.containsAll(sent) && System.nanoTime() < deadline) {
          JsonObject f = bob.next(WAIT);
          if ("msg".equals(f.getString("op"))) {
            got.add(f.getString("id"));
          }
        }
        assertEquals(sent, got, "bob gets every group message routed by the router that took the partitions over");
      } finally {
        if (secondOpen) {
          second.close();
        }
      }
    }
  }

  @Test
  @DisplayName("a router refuses to start, and says why, when the groups topic is not partitioned like the inbound one")
  void routerRefusesAGroupsTopicPartitionedOtherwise(WeftInfra infra) throws Exception {
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      admin.createTopics(List.of(new NewTopic(infra.topicPrefix() + "groups", PARTITIONS + 1, (short) 1)))
          .all().get();
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RouterApplication.start(RouterConfig.from(infra.env(Map.of("WEFT_ROUTER_GROUP", infra.topic("router"))))));
    String message = String.valueOf(e.getMessage()) + " " + e.getCause();
    assertTrue(message.contains("groups has " + (PARTITIONS + 1) + " partitions"), message);
    assertTrue(message.contains("./weft topics regroup"), "the refusal names the fix: " + message);
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return c.await(f -> ref.equals(f.getString("ref")), WAIT);
  }
}
