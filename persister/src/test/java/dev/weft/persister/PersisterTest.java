package dev.weft.persister;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.ConversationIds;
import dev.weft.common.Env;
import dev.weft.common.InternalSecret;
import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.InboundMessage;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class PersisterTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Publishes n messages of one conversation as a gateway would; returns their offsets (= seq). */
  private static List<Long> publish(WeftInfra infra, String conv, int n, String textPrefix) throws Exception {
    createInbound(infra);
    List<Long> seqs = new ArrayList<>();
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        InboundMessage m = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(conv)
            .setFrom("alice").setFromDevice("d1").setFromSession("s1").setRef("r" + i)
            .setMembers(List.of("alice", "bob")).setTs(1_000L + i).setGateway("gw-1").setText(textPrefix + i).build();
        sent.add(p.send(new ProducerRecord<>(infra.topic("inbound"), conv, AvroSerde.inboundMessage().encode(m))));
        if (i == 0) {
          // First record alone: on a partition its broker has only just made leader, an idempotent producer whose
          // first batch meets NOT_LEADER_OR_FOLLOWER while later batches follow can stay stuck on
          // OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen with Kafka 4.4, even after the topic's
          // leaders are described). Once one record is acknowledged the partition is live.
          sent.get(0).get();
        }
      }
      for (var f : sent) {
        seqs.add(f.get().offset());
      }
    }
    return seqs;
  }

  private static void createInbound(WeftInfra infra) {
    TopicCreator topics = new TopicCreator(KafkaSettings.from(infra.env()));
    topics.ensure(List.of(topics.inbound()));
  }

  private static void sql(WeftInfra infra, String statement) throws Exception {
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
      db.createStatement().execute(statement);
    }
  }

  private static HttpResponse<String> ready(int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long rows(WeftInfra infra, String sql) throws Exception {
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
        ResultSet rs = db.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static HttpResponse<String> get(int port, String conv, String query) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/conversations/"
        + URLEncoder.encode(conv, StandardCharsets.UTF_8) + "/messages" + query))
        .header(InternalSecret.HEADER, WeftInfra.INTERNAL_SECRET).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static PersisterApplication start(WeftInfra infra, String group) {
    return start(infra, group, Map.of());
  }

  private static PersisterApplication start(WeftInfra infra, String group, Map<String, String> settings) {
    Map<String, String> env = new java.util.HashMap<>(settings);
    env.put("WEFT_PERSISTER_GROUP", group);
    return PersisterApplication.start(PersisterConfig.from(infra.env(env)));
  }

  private static long count(WeftInfra infra, String conv) throws Exception {
    return rows(infra, "SELECT COUNT(*) FROM messages WHERE conv_id = '" + conv + "'");
  }

  /** Conversations of distinct user pairs: their keys spread over the inbound topic's partitions. */
  private static List<String> conversations(int n) {
    List<String> convs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      convs.add(ConversationIds.direct("u" + i, "v" + i));
    }
    return convs;
  }

  private static long countAll(WeftInfra infra, List<String> convs) throws Exception {
    long total = 0;
    for (String conv : convs) {
      total += count(infra, conv);
    }
    return total;
  }

  @Test
  void persistsEveryMessageOnceAndServesHistoryInOrder(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("alice", "bob");
    // Created before the persister exists: it must read from the beginning.
    List<Long> seqs = publish(infra, conv, 120, "m");
    try (PersisterApplication app = start(infra, infra.topic("p"), Map.of("WEFT_HISTORY_MAX_LIMIT", "100"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 120);
      // A limit over WEFT_HISTORY_MAX_LIMIT is capped, not refused; the rest comes with the next page.
      JsonArray first = new JsonObject(get(app.httpPort(), conv, "?limit=500").body()).getJsonArray("messages");
      assertEquals(100, first.size());
      JsonArray rest = new JsonObject(get(app.httpPort(), conv, "?after=" + first.getJsonObject(99).getLong("seq") + "&limit=500")
          .body()).getJsonArray("messages");
      assertEquals(20, rest.size());
      JsonArray all = first.copy().addAll(rest);
      assertEquals(120, all.size());
      for (int i = 0; i < all.size(); i++) {
        JsonObject m = all.getJsonObject(i);
        assertEquals(seqs.get(i), m.getLong("seq"));
        assertEquals("m" + i, m.getString("text"));
        assertEquals("msg", m.getString("op"));
        assertEquals("alice", m.getString("from"));
      }
      JsonArray page = new JsonObject(get(app.httpPort(), conv, "?after=" + seqs.get(9) + "&limit=5").body()).getJsonArray("messages");
      assertEquals(5, page.size());
      assertEquals(seqs.get(10), page.getJsonObject(0).getLong("seq"));
      assertEquals(0, new JsonObject(get(app.httpPort(), conv, "?after=" + seqs.get(119)).body()).getJsonArray("messages").size());
      // The default page is 50.
      assertEquals(50, new JsonObject(get(app.httpPort(), conv, "").body()).getJsonArray("messages").size());
    }
  }

  @Test
  void replayingAPartitionLeavesOneRowPerMessage(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("carol", "dave");
    publish(infra, conv, 200, "x");
    try (PersisterApplication first = start(infra, infra.topic("first"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 200);
    }
    // A new group starts from the beginning: every record is written again.
    try (PersisterApplication second = start(infra, infra.topic("second"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> second.persisted() >= 200);
      assertEquals(200, count(infra, conv));
    }
  }

  @Test
  void deadLettersAnUndecodableRecordAndOneThatCannotFitAndKeepsGoing(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("erin", "frank");
    createInbound(infra);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(infra.topic("inbound"), conv, "not avro".getBytes(StandardCharsets.UTF_8))).get();
      // Decodes, but its sender does not fit the table: stored as is it would fail every retry of its batch.
      InboundMessage tooLong = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(conv)
          .setFrom("e".repeat(65)).setFromDevice("d1").setFromSession("s1").setRef("r").setMembers(List.of("erin", "frank"))
          .setTs(1L).setGateway("gw-1").setText("too long a sender").build();
      p.send(new ProducerRecord<>(infra.topic("inbound"), conv, AvroSerde.inboundMessage().encode(tooLong))).get();
    }
    publish(infra, conv, 3, "after");
    try (PersisterApplication app = start(infra, infra.topic("p"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 3);
      await().atMost(Duration.ofSeconds(30)).until(() -> app.skipped() == 2);
      JsonArray history = new JsonObject(get(app.httpPort(), conv, "").body()).getJsonArray("messages");
      assertEquals(List.of("after0", "after1", "after2"), history.stream().map(m -> ((JsonObject) m).getString("text")).toList());
    }
    List<String> reasons = new java.util.ArrayList<>();
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
        infra.kafkaProps(), new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(infra.topic("deadletter"), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reasons.size() < 2 && System.nanoTime() < deadline) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          assertEquals(conv, r.key(), "the key is kept");
          reasons.add(new String(r.headers().lastHeader("weft.dlt.reason").value(), StandardCharsets.UTF_8)
              + "@" + new String(r.headers().lastHeader("weft.dlt.offset").value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertEquals(List.of("undecodable@0", "unfit@1"), reasons);
  }

  @Test
  void closingCommitsWhatIsWrittenSoTheSameGroupResumesAfterIt(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("gina", "hal");
    String group = infra.topic("p");
    publish(infra, conv, 30, "before");
    try (PersisterApplication first = start(infra, group)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 30);
    }
    publish(infra, conv, 5, "after");
    try (PersisterApplication second = start(infra, group)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 35 && second.persisted() >= 5);
      // Had the first one not committed, the second would have written all 35 again.
      assertEquals(5, second.persisted());
    }
  }

  @Test
  void persistersSharingAGroupStoreEveryMessageOnceAcrossRebalances(WeftInfra infra) throws Exception {
    List<String> convs = conversations(12);
    String group = infra.topic("p");
    // Small batches: many polls, so the partitions move while there is work in hand.
    Map<String, String> small = Map.of("WEFT_PERSISTER_BATCH_MAX", "5");
    createInbound(infra);
    PersisterApplication a = start(infra, group, small);
    try (PersisterApplication b = start(infra, group, small)) {
      try {
        // Publish once the group has split the 3 partitions between the two, so both have work.
        await().atMost(Duration.ofSeconds(30))
            .until(() -> a.assignedPartitions() > 0 && b.assignedPartitions() > 0 && a.assignedPartitions() + b.assignedPartitions() == 3);
        for (String conv : convs) {
          publish(infra, conv, 20, "a");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> countAll(infra, convs) == 240);
        assertTrue(a.persisted() > 0 && b.persisted() > 0, "both shared the work: " + a.persisted() + ", " + b.persisted());
      } finally {
        a.close(); // b takes over a's partitions
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> b.assignedPartitions() == 3);
      for (String conv : convs) {
        publish(infra, conv, 10, "b");
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> countAll(infra, convs) == 360);
      assertEquals(360, rows(infra, "SELECT COUNT(DISTINCT id) FROM messages WHERE conv_id IN ("
          + String.join(",", convs.stream().map(c -> "'" + c + "'").toList()) + ")"));
    }
  }

  @Test
  void aDatabaseOutageIsRetriedUntilItEndsAndLosesNothing(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("ivan", "judy");
    publish(infra, conv, 10, "up");
    try (PersisterApplication app = start(infra, infra.topic("p"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 10);
      // A real failure of the real database: the table is gone while messages keep coming.
      sql(infra, "RENAME TABLE messages TO messages_parked");
      try {
        publish(infra, conv, 10, "down");
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(app.opsPort()).statusCode() == 503);
        HttpResponse<String> history = get(app.httpPort(), conv, "");
        assertEquals(503, history.statusCode());
        assertEquals("unavailable", new JsonObject(history.body()).getString("code"));
      } finally {
        sql(infra, "RENAME TABLE messages_parked TO messages");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> count(infra, conv) == 20);
      await().atMost(Duration.ofSeconds(30)).until(() -> ready(app.opsPort()).statusCode() == 200);
      JsonArray all = new JsonObject(get(app.httpPort(), conv, "?limit=100").body()).getJsonArray("messages");
      assertEquals("down9", all.getJsonObject(19).getString("text"));
    }
  }

  @Test
  void badHistoryParametersGet400(WeftInfra infra) throws Exception {
    try (PersisterApplication app = start(infra, infra.topic("p"))) {
      for (String q : List.of("?after=x", "?limit=0", "?limit=many", "?after=1.5")) {
        HttpResponse<String> r = get(app.httpPort(), "dm:YQ.Yg", q);
        assertEquals(400, r.statusCode(), q);
        assertEquals("bad_request", new JsonObject(r.body()).getString("code"));
      }
      HttpResponse<String> ready = ready(app.opsPort());
      assertEquals(200, ready.statusCode(), ready.body());
    }
  }

  @Test
  void refusesToStartWithoutDatabaseSettings() {
    ConfigException e = assertThrows(ConfigException.class, () -> PersisterConfig.from(new Env(Map.of())));
    assertTrue(e.getMessage().contains("WEFT_DB_URL"), e.getMessage());
    ConfigException user = assertThrows(ConfigException.class,
        () -> PersisterConfig.from(new Env(Map.of("WEFT_DB_URL", "jdbc:mysql://db/weft"))));
    assertTrue(user.getMessage().contains("WEFT_DB_USER"), user.getMessage());
    ConfigException secret = assertThrows(ConfigException.class,
        () -> PersisterConfig.from(new Env(Map.of("WEFT_DB_URL", "jdbc:mysql://db/weft", "WEFT_DB_USER", "u"))));
    assertTrue(secret.getMessage().contains("WEFT_INTERNAL_SECRET"), secret.getMessage());
    String shown = PersisterConfig.from(new Env(Map.of("WEFT_DB_URL", "jdbc:mysql://db/weft", "WEFT_DB_USER", "u",
        "WEFT_DB_PASSWORD", "hunter2", "WEFT_INTERNAL_SECRET", WeftInfra.INTERNAL_SECRET))).toString();
    assertTrue(!shown.contains("hunter2"), "the password never shows in toString");
    assertTrue(!shown.contains(WeftInfra.INTERNAL_SECRET), "nor the internal secret");
  }
}
