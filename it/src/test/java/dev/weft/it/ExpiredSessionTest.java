package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A router expires every session of a gateway whose heartbeats stop reaching Kafka, and tombstones them. A hung
 * broker (the fault run's broker-pause) does that to a gateway that is alive, and its clients were left on sockets
 * nothing was routed to any more. The gateway now closes such a socket with 1012, and the client resumes.
 */
@WeftIntegrationTest
class ExpiredSessionTest {

  @Test
  void aSessionExpiredWhileItsSocketIsOpenIsClosedWith1012AndTheClientResumesWithNothingMissed(WeftInfra infra)
      throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("x1-bob"), "phone")) {
      WsClient alice = WsClient.open(WsClient.uri(fabric.port(1), "cursor=new&device=phone"), fabric.token("x1-alice"));
      JsonObject welcome = alice.next();
      assertEquals("welcome", welcome.getString("op"));
      String cursor = alice.await(f -> "synced".equals(f.getString("op")), Duration.ofSeconds(20)).getString("cursor");
      fabric.awaitRoutable(2);

      // What a router writes for each session of a gateway it took for dead.
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(),
          new ByteArraySerializer())) {
        p.send(new ProducerRecord<>(infra.topic("sessions"), welcome.getString("session"), null)).get();
      }
      assertEquals(1012, alice.closeCode(Duration.ofSeconds(20)), "the expired socket is sent back to resume");

      // Sent while alice has no session anywhere: routed to nobody, stored.
      for (int i = 0; i < 3; i++) {
        bob.send(new JsonObject().put("op", "send").put("ref", "b" + i).put("to", "x1-alice").put("text", "gap " + i));
        assertEquals("ack", bob.await(f -> !"msg".equals(f.getString("op")), Duration.ofSeconds(10)).getString("op"));
      }
      try (WsClient again = WsClient.resume(fabric.port(1), fabric.token("x1-alice"), "phone", cursor)) {
        List<String> texts = new ArrayList<>();
        for (JsonObject m : again.collect(f -> "msg".equals(f.getString("op")), 3, Duration.ofSeconds(20))) {
          texts.add(m.getString("text"));
        }
        assertEquals(List.of("gap 0", "gap 1", "gap 2"), texts, "the catch-up brings what was sent meanwhile");
        bob.send(new JsonObject().put("op", "send").put("ref", "b9").put("to", "x1-alice").put("text", "live"));
        assertEquals("live", again.await(f -> "msg".equals(f.getString("op")), Duration.ofSeconds(10)).getString("text"),
            "and live delivery reaches the new session");
      }
      assertTrue(alice.isClosed());
    }
  }

  @Test
  void anUnreadableAnnouncementEndsTheSessionForTheRoutersAndForPresenceAlike(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of("WEFT_PRESENCE_POLICY", "everyone"));
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("x2-bob"), "phone")) {
      WsClient alice = WsClient.open(WsClient.uri(fabric.port(1), "cursor=new&device=phone"), fabric.token("x2-alice"));
      JsonObject welcome = alice.next();
      assertEquals("welcome", welcome.getString("op"));
      alice.await(f -> "synced".equals(f.getString("op")), Duration.ofSeconds(20));
      fabric.awaitRoutable(2);
      bob.send(new JsonObject().put("op", "presence_subscribe").put("ref", "p").put("users",
          new io.vertx.core.json.JsonArray().add("x2-alice")));
      JsonObject online = bob.await(f -> "presence".equals(f.getString("op")), Duration.ofSeconds(10));
      assertTrue(online.getBoolean("online"), online.encode());

      // A record under alice's session id that no reader can decode (a bug, a schema from the future): it replaces
      // her announcement. The router dropped the session and the presence reader skipped the record, keeping her
      // online on a socket nothing was routed to; now both take the session for gone.
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(),
          new ByteArraySerializer())) {
        p.send(new ProducerRecord<>(infra.topic("sessions"), welcome.getString("session"),
            "not an announcement".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
      }
      JsonObject offline = bob.await(f -> "presence".equals(f.getString("op")), Duration.ofSeconds(20));
      assertEquals(false, offline.getBoolean("online"), "the presence readers take her for gone: " + offline.encode());
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fabric.router.knownSessions() == 1);
      assertEquals(1012, alice.closeCode(Duration.ofSeconds(20)), "and her socket is sent back to resume, as for a tombstone");
    }
  }
}
