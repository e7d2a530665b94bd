package dev.weft.persister;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.InternalSecret;
import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.InboundMessage;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptKind;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resume-with-a-cursor reads: {@code /internal/v1/users/:user/catchup} and {@code /recent}, over real HTTP. */
@WeftIntegrationTest
class CatchUpReadsTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int PARTITIONS = 3; // the test kit's WEFT_INBOUND_PARTITIONS

  /** One published message, as a catch-up returns it. */
  private record Sent(String conv, int part, long seq, long ts, String text) {}

  private final WeftInfra infra;
  private final KafkaProducer<String, byte[]> producer;
  /** Users of this test only: the class's tests share one database. */
  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private PersisterApplication app;
  private int published;

  CatchUpReadsTest(WeftInfra infra) {
    this.infra = infra;
    this.producer = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(), new ByteArraySerializer());
  }

  @BeforeEach
  void start() {
    TopicCreator topics = new TopicCreator(KafkaSettings.from(infra.env()));
    topics.ensure(List.of(topics.inbound(), topics.receipts()));
    app = PersisterApplication.start(PersisterConfig.from(infra.env(Map.of("WEFT_PERSISTER_GROUP", infra.topic("p")))));
  }

  @AfterEach
  void stop() {
    producer.close();
    app.close();
  }

  private String user(String name) {
    return name + "-" + tag;
  }

  private Sent publish(String conv, List<String> members, long ts, String text) throws Exception {
    InboundMessage m = InboundMessage.newBuilder().setId(UUID.randomUUID().toString()).setConv(conv)
        .setFrom(members.get(0)).setFromDevice("d1").setFromSession("s1").setRef(text).setMembers(members).setTs(ts)
        .setGateway("gw-1").setText(text).build();
    // One at a time: see PersisterTest.publish on an idempotent producer's first batch to a new leader.
    RecordMetadata md = producer.send(new ProducerRecord<>(infra.topic("inbound"), conv,
        AvroSerde.inboundMessage().encode(m))).get(30, TimeUnit.SECONDS);
    published++;
    return new Sent(conv, md.partition(), md.offset(), ts, text);
  }

  private void receipt(String conv, String user, ReceiptKind kind, long seq) throws Exception {
    Receipt r = Receipt.newBuilder().setConv(conv).setUser(user).setDevice("d1").setFromSession("s1").setKind(kind)
        .setSeq(seq).setMembers(List.of(user)).setTs(System.currentTimeMillis()).build();
    producer.send(new ProducerRecord<>(infra.topic("receipts"), conv, AvroSerde.receipt().encode(r))).get(30, TimeUnit.SECONDS);
  }

  private void awaitPersisted() {
    await().atMost(Duration.ofSeconds(30)).until(() -> app.persisted() >= published);
  }

  private long receiptUpdatedMs(String conv, String user) throws Exception {
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
        PreparedStatement ps = db.prepareStatement("SELECT updated_ms FROM receipts WHERE conv_id = ? AND member = ?")) {
      ps.setString(1, conv);
      ps.setString(2, user);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  private long indexRows(String user) throws Exception {
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
        PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM conversation_members WHERE user_id = ?")) {
      ps.setString(1, user);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + pathAndQuery))
            .header(InternalSecret.HEADER, WeftInfra.INTERNAL_SECRET).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject ok(String pathAndQuery) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private JsonObject catchUp(String user, long[] next, int limit, String extra) throws Exception {
    String cursor = String.join(",", Arrays.stream(next).mapToObj(Long::toString).toList());
    return ok("/internal/v1/users/" + user + "/catchup?next=" + cursor + "&limit=" + limit + extra);
  }

  private long[] topicEnds(String topic) throws Exception {
    try (Admin admin = Admin.create(infra.kafkaProps())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      var found = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      long[] ends = new long[PARTITIONS];
      found.forEach((tp, info) -> ends[tp.partition()] = info.offset());
      return ends;
    }
  }

  private static List<String> keys(JsonArray messages) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      out.add(m.getInteger("part") + "/" + m.getLong("seq") + "/" + m.getString("conv") + "/" + m.getString("text"));
    }
    return out;
  }

  private static List<String> keys(List<Sent> sent) {
    return sent.stream().map(s -> s.part() + "/" + s.seq() + "/" + s.conv() + "/" + s.text()).toList();
  }

  private static final Comparator<Sent> CURSOR_ORDER = Comparator.comparingInt(Sent::part).thenComparingLong(Sent::seq);

  private static long[] longs(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getLong(i);
    }
    return out;
  }

  @Test
  void catchUp_returnsOnlyTheUsersMessagesFromTheCursor_inPartitionThenSeqOrder_upToTheEndsItWaitedFor() throws Exception {
    String ann = user("ann");
    List<Sent> anns = new ArrayList<>();
    List<Sent> all = new ArrayList<>();
    // Six peers: their conversations spread over the partitions.
    for (int i = 0; i < 6; i++) {
      String peer = user("peer" + i);
      String conv = ConversationIds.direct(ann, peer);
      for (int j = 0; j < 4; j++) {
        Sent s = publish(conv, List.of(j % 2 == 0 ? ann : peer, j % 2 == 0 ? peer : ann), 1_000 + 10 * i + j, "c" + i + "m" + j);
        anns.add(s);
        all.add(s);
      }
      // A conversation ann is not in.
      all.add(publish(ConversationIds.direct(peer, user("other" + i)), List.of(peer, user("other" + i)), 5_000, "not-ann" + i));
    }
    // Members that cannot be index keys lose only their index row: the message and the others' rows stay.
    String bad = "x".repeat(65);
    Sent odd = publish(ConversationIds.direct(ann, user("zed")), List.of(ann, user("zed"), bad, "has space"), 9_000, "odd");
    anns.add(odd);
    all.add(odd);
    awaitPersisted();
    assertEquals(0, app.skipped());
    assertEquals(0, indexRows(bad));
    assertEquals(7, indexRows(ann));

    JsonObject everything = catchUp(ann, new long[PARTITIONS], 500, "");
    anns.sort(CURSOR_ORDER);
    assertEquals(keys(anns), keys(everything.getJsonArray("messages")));
    assertTrue(everything.getBoolean("complete"));
    assertEquals(Arrays.toString(topicEnds(infra.topic("inbound"))), Arrays.toString(longs(everything.getJsonArray("ends"))));
    assertEquals(new JsonArray(), everything.getJsonArray("receipts"), "no receiptsSince, no receipts");
    assertTrue(everything.getLong("asOf") > 0);
    JsonObject first = everything.getJsonArray("messages").getJsonObject(0);
    assertEquals("msg", first.getString("op"));
    assertEquals(anns.get(0).ts(), first.getLong("ts"));

    // From a cursor: only seq >= next[p] in each partition.
    long[] next = new long[PARTITIONS];
    for (Sent s : anns) {
      next[s.part()] = Math.max(next[s.part()], s.seq()); // the last message of each partition
    }
    List<Sent> expected = anns.stream().filter(s -> s.seq() >= next[s.part()]).toList();
    assertEquals(keys(expected), keys(catchUp(ann, next, 500, "").getJsonArray("messages")));
  }

  @Test
  void catchUp_pagesByLimit_untilComplete_whenTheCursorIsFedBack() throws Exception {
    String bea = user("bea");
    List<Sent> beas = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String conv = ConversationIds.direct(bea, user("p" + i));
      for (int j = 0; j < 3; j++) {
        beas.add(publish(conv, List.of(bea, user("p" + i)), 2_000 + 10 * i + j, "b" + i + "." + j));
      }
    }
    awaitPersisted();
    beas.sort(CURSOR_ORDER);

    long[] next = new long[PARTITIONS];
    List<String> got = new ArrayList<>();
    int pages = 0;
    JsonObject page;
    do {
      page = catchUp(bea, next, 4, "");
      JsonArray messages = page.getJsonArray("messages");
      assertTrue(messages.size() <= 4);
      assertEquals(messages.size() < 4, page.getBoolean("complete"));
      for (int i = 0; i < messages.size(); i++) {
        JsonObject m = messages.getJsonObject(i);
        next[m.getInteger("part")] = m.getLong("seq") + 1;
      }
      got.addAll(keys(messages));
      pages++;
    } while (!page.getBoolean("complete") && pages < 20);
    assertEquals(keys(beas), got);
    assertEquals(4, pages, "15 messages by 4: three full pages, then the rest with complete=true");
  }

  @Test
  void catchUp_refusesACursorOfTheWrongLengthAndBadLimits() throws Exception {
    String cy = user("cy");
    for (String q : List.of("next=0,0", "next=0,0,0,0", "next=0,0,-1", "next=0,x,0", "next=0,0,", "",
        "next=0,0,0&limit=0", "next=0,0,0&limit=x", "next=0,0,0&receiptsSince=soon")) {
      HttpResponse<String> r = get("/internal/v1/users/" + cy + "/catchup?" + q);
      assertEquals(400, r.statusCode(), q);
      assertEquals("bad_request", new JsonObject(r.body()).getString("code"), q);
    }
    for (String q : List.of("perConversation=-1", "conversations=-1", "conversations=many")) {
      HttpResponse<String> r = get("/internal/v1/users/" + cy + "/recent?" + q);
      assertEquals(400, r.statusCode(), q);
    }
    // Nothing published yet: every partition is empty, so there is nothing to wait for.
    JsonObject empty = catchUp(cy, new long[PARTITIONS], 10, "");
    assertEquals(0, empty.getJsonArray("messages").size());
    assertTrue(empty.getBoolean("complete"));
  }

  @Test
  void recent_returnsTheLastMessagesOfTheMostRecentConversations_oldestConversationFirst_withTheirReceipts() throws Exception {
    String dee = user("dee");
    List<String> convs = new ArrayList<>();
    Map<String, List<Sent>> byConv = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      String peer = user("q" + i);
      String conv = ConversationIds.direct(dee, peer);
      convs.add(conv);
      for (int j = 0; j < 4; j++) {
        // Conversation i's latest ts grows with i: conversation 3 is the most recent.
        byConv.computeIfAbsent(conv, c -> new ArrayList<>()).add(publish(conv, List.of(peer, dee), 10_000 + 100 * i + j, "d" + i + "." + j));
      }
    }
    // Newer than all of dee's, but not dee's.
    publish(ConversationIds.direct(user("q0"), user("q1")), List.of(user("q0"), user("q1")), 99_000, "not-dee");
    awaitPersisted();
    receipt(convs.get(3), dee, ReceiptKind.READ, byConv.get(convs.get(3)).get(3).seq());
    receipt(convs.get(0), dee, ReceiptKind.DELIVERED, byConv.get(convs.get(0)).get(1).seq()); // not among the 3 most recent
    await().atMost(Duration.ofSeconds(30)).until(() -> receiptUpdatedMs(convs.get(0), dee) > 0);

    JsonObject recent = ok("/internal/v1/users/" + dee + "/recent?perConversation=2&conversations=3");
    List<Sent> expected = new ArrayList<>();
    for (int i = 1; i < 4; i++) {
      expected.addAll(byConv.get(convs.get(i)).subList(2, 4));
    }
    assertEquals(keys(expected), keys(recent.getJsonArray("messages")));
    assertEquals(Arrays.toString(topicEnds(infra.topic("inbound"))), Arrays.toString(longs(recent.getJsonArray("ends"))));
    JsonArray receipts = recent.getJsonArray("receipts");
    assertEquals(1, receipts.size(), receipts.encode());
    JsonObject read = receipts.getJsonObject(0);
    assertEquals(convs.get(3), read.getString("conv"));
    assertEquals(dee, read.getString("user"));
    assertEquals(byConv.get(convs.get(3)).get(3).seq(), read.getLong("read"));
    assertEquals(byConv.get(convs.get(3)).get(3).seq(), read.getLong("delivered"));

    // Defaults: 20 per conversation, 50 conversations: everything of dee's, conversation by conversation.
    List<Sent> everything = new ArrayList<>();
    convs.forEach(c -> everything.addAll(byConv.get(c)));
    assertEquals(keys(everything), keys(ok("/internal/v1/users/" + dee + "/recent").getJsonArray("messages")));

    for (String q : List.of("perConversation=0", "conversations=0")) {
      JsonObject none = ok("/internal/v1/users/" + dee + "/recent?" + q);
      assertEquals(0, none.getJsonArray("messages").size(), q);
      assertEquals(PARTITIONS, none.getJsonArray("ends").size(), q);
      assertTrue(none.getLong("asOf") > 0, q);
    }
  }

  @Test
  void catchUp_sendsOnlyReceiptsOfTheUsersConversationsAppliedSinceReceiptsSince() throws Exception {
    String eve = user("eve");
    String fay = user("fay");
    String gus = user("gus");
    String withFay = ConversationIds.direct(eve, fay);
    String withGus = ConversationIds.direct(eve, gus);
    String notEves = ConversationIds.direct(fay, gus);
    Sent a = publish(withFay, List.of(eve, fay), 1, "a");
    Sent b = publish(withGus, List.of(eve, gus), 2, "b");
    Sent c = publish(notEves, List.of(fay, gus), 3, "c");
    awaitPersisted();
    receipt(withFay, fay, ReceiptKind.DELIVERED, a.seq());
    receipt(notEves, gus, ReceiptKind.READ, c.seq());
    await().atMost(Duration.ofSeconds(30)).until(() -> receiptUpdatedMs(withFay, fay) > 0 && receiptUpdatedMs(notEves, gus) > 0);
    long firstApplied = receiptUpdatedMs(withFay, fay);
    // So the next asOf is strictly after the first receipt's write (the clock has millisecond steps).
    await().atMost(Duration.ofSeconds(1)).until(() -> System.currentTimeMillis() > firstApplied);

    JsonObject since0 = catchUp(eve, new long[PARTITIONS], 500, "&receiptsSince=0");
    // Only eve's conversations; gus's read in fay and gus's conversation is not hers.
    assertEquals(new JsonArray().add(new JsonObject().put("conv", withFay).put("user", fay).put("delivered", a.seq())
        .put("read", -1)).encode(), since0.getJsonArray("receipts").encode());
    long asOf = since0.getLong("asOf");
    assertTrue(asOf > firstApplied);

    receipt(withGus, gus, ReceiptKind.READ, b.seq());
    // The receipts barrier: no polling here, the catch-up itself waits until the receipt is stored.
    JsonArray changed = catchUp(eve, new long[PARTITIONS], 500, "&receiptsSince=" + asOf).getJsonArray("receipts");
    assertEquals(1, changed.size(), changed.encode());
    assertEquals(withGus, changed.getJsonObject(0).getString("conv"));
    assertEquals(b.seq(), changed.getJsonObject(0).getLong("read"));
    assertFalse(changed.encode().contains(notEves));
  }
}
