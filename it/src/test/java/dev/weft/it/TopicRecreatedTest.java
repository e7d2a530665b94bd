package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.TopicCreator;
import dev.weft.persister.PersisterApplication;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.TopicIdentity;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A stored message's seq is its offset in the inbound topic. If that topic is deleted and created again, offsets start
 * over, and a persister that went on storing into the same history would have new messages collide with old rows and
 * be dropped by the duplicate-key rule. It must refuse to run instead, and say why.
 */
@WeftIntegrationTest
class TopicRecreatedTest {

  @Test
  void aPersisterRefusesAHistoryWhoseInboundTopicWasRecreatedAndKeepsTheOldRows(WeftInfra infra) throws Exception {
    String inbound = infra.topic("inbound");
    Map<String, String> env = Map.of("WEFT_PERSISTER_GROUP", infra.topic("persister"), "WEFT_ROUTER_GROUP", infra.topic("router"));
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
      try (Fabric fabric = Fabric.start(infra, 1, env); WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
        alice.send(new JsonObject().put("op", "send").put("ref", "r1").put("to", "bob").put("text", "before the topic went"));
        assertEquals("ack", alice.next().getString("op"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count(db, "SELECT COUNT(*) FROM messages") == 1);
      }
      // A restart against the same topic is fine.
      PersisterApplication.start(PersisterConfig.from(infra.env(env))).close();

      try (Admin admin = Admin.create(infra.kafkaProps())) {
        admin.deleteTopics(List.of(inbound)).all().get();
        await().atMost(Duration.ofSeconds(20)).until(() -> !admin.listTopics().names().get().contains(inbound));
      }
      // The persister creates the missing topic at start, as it would in a cluster: a new incarnation, offsets from 0.
      TopicIdentity.Mismatch refused = assertThrows(TopicIdentity.Mismatch.class,
          () -> PersisterApplication.start(PersisterConfig.from(infra.env(env))).close());
      assertTrue(refused.getMessage().contains("deleted and created again"), refused.getMessage());
      assertTrue(refused.getMessage().contains("WEFT_DB_URL"), "says what to do: " + refused.getMessage());
      assertEquals(1, Sql.count(db, "SELECT COUNT(*) FROM messages"), "the old history is untouched");

      // The same for a partition count that changed under the history.
      TopicCreator.Identity now = new TopicCreator(PersisterConfig.from(infra.env(env)).kafka()).identify(inbound);
      TopicCreator.Identity widenedTopic = new TopicCreator.Identity(recordedId(db, inbound), now.partitions() * 2);
      try (MessageStore store = MessageStore.open(PersisterConfig.from(infra.env(env)))) {
        TopicIdentity.Mismatch widened = assertThrows(TopicIdentity.Mismatch.class,
            () -> store.topicIdentity().claim(inbound, widenedTopic));
        assertTrue(widened.getMessage().contains("partition count changed"), widened.getMessage());
      }
    }
  }

  @Test
  void aHistoryWithoutMessagesAdoptsTheNewTopic(WeftInfra infra) throws Exception {
    String inbound = infra.topic("inbound");
    Map<String, String> env = Map.of("WEFT_PERSISTER_GROUP", infra.topic("persister-empty"));
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
      try (MessageStore store = MessageStore.open(PersisterConfig.from(infra.env(env)))) {
        db.createStatement().executeUpdate("DELETE FROM messages"); // this class's schema: the other test's row
        store.topicIdentity().claim(inbound, new TopicCreator.Identity("an-earlier-incarnation", 6));
        store.topicIdentity().claim(inbound, new TopicCreator.Identity("the-new-one", 6));
        assertEquals("the-new-one", recordedId(db, inbound));
      }
    }
  }

  private static String recordedId(Connection db, String topic) throws Exception {
    try (var s = db.prepareStatement("SELECT topic_id FROM topic_identity WHERE topic = ?")) {
      s.setString(1, topic);
      try (var r = s.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    }
  }
}
