package dev.weft.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import dev.weft.common.kafka.KeyPartitions;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

@WeftIntegrationTest
class TopicsMainTest {

  /** A test-only next version of SessionAnnouncement: one field added, with a default. */
  private static final Schema SESSION_V2 = new Schema.Parser().parse("""
      {"type": "record", "name": "SessionAnnouncement", "namespace": "dev.weft.schemas", "fields": [
        {"name": "session", "type": "string"}, {"name": "user", "type": "string"},
        {"name": "device", "type": "string"}, {"name": "gateway", "type": "string"},
        {"name": "connectedAt", "type": "long"}, {"name": "hideLastSeen", "type": "boolean", "default": false},
        {"name": "platform", "type": "string", "default": "unknown"}]}""");

  private record Result(int code, List<String> out, String err) {}

  private static Result run(WeftInfra infra, RecordDecoder decoder, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TopicsMain.run(args, infra.env(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), decoder, false);
    String text = out.toString(StandardCharsets.UTF_8);
    return new Result(code, text.isEmpty() ? List.of() : List.of(text.split("\n")), err.toString(StandardCharsets.UTF_8));
  }

  private static void send(WeftInfra infra, List<ProducerRecord<String, byte[]>> records) throws Exception {
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(infra.kafkaProps(), new StringSerializer(), new ByteArraySerializer())) {
      for (var r : records) {
        p.send(r).get(); // one at a time: see PersisterTest on first batches to a new leader (Kafka 4.4)
      }
    }
  }

  private static byte[] encodeV2(String session) throws Exception {
    GenericRecord r = new GenericData.Record(SESSION_V2);
    r.put("session", session);
    r.put("user", "bob");
    r.put("device", "laptop");
    r.put("gateway", "gw-2");
    r.put("connectedAt", 2_000L);
    r.put("hideLastSeen", true);
    r.put("platform", "linux");
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), SESSION_V2).encode(r);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  @Test
  void tail_decodesEachRecordByItsOwnSchemaVersion_tombstonesAndGarbageIncluded(WeftInfra infra) throws Exception {
    TopicCreator creator = new TopicCreator(KafkaSettings.from(infra.env()));
    creator.ensure(List.of(creator.sessions()));
    String topic = infra.topic("sessions");
    SessionAnnouncement v1 = SessionAnnouncement.newBuilder().setSession("s-1").setUser("alice").setDevice("phone")
        .setGateway("gw-1").setConnectedAt(1_000L).build();
    send(infra, List.of(
        new ProducerRecord<>(topic, 0, "s-1", AvroSerde.sessionAnnouncement().encode(v1)),
        new ProducerRecord<>(topic, 0, "s-2", encodeV2("s-2")),
        new ProducerRecord<>(topic, 0, "s-1", null),
        new ProducerRecord<>(topic, 0, "junk", new byte[] {1, 2, 3})));
    List<Schema> known = new ArrayList<>(KnownSchemas.all());
    known.add(SESSION_V2);

    Result r = run(infra, new RecordDecoder(known), "tail", topic, "--from-beginning", "--limit", "4");

    assertEquals(0, r.code(), r.err());
    assertEquals(4, r.out().size(), String.join("\n", r.out()));
    assertEquals("{\"topic\": \"" + topic + "\", \"partition\": 0, \"offset\": 0, \"timestamp\": ",
        r.out().get(0).substring(0, r.out().get(0).indexOf("\"timestamp\": ") + 13));
    assertTrue(r.out().get(0).contains("\"key\": \"s-1\", \"value\": {\"session\": \"s-1\", \"user\": \"alice\""), r.out().get(0));
    assertTrue(r.out().get(0).endsWith("\"hideLastSeen\": false}}"), r.out().get(0));
    assertTrue(r.out().get(1).contains("\"user\": \"bob\"") && r.out().get(1).endsWith("\"platform\": \"linux\"}}"),
        r.out().get(1));
    assertTrue(r.out().get(2).endsWith("\"key\": \"s-1\", \"value\": null}"), r.out().get(2));
    assertTrue(r.out().get(3).endsWith("\"value\": {\"undecodable\": \"AQID\"}}"), r.out().get(3));
  }

  @Test
  void tail_withoutTheNewVersionsSchema_showsItsRecordsAsUndecodable(WeftInfra infra) throws Exception {
    TopicCreator creator = new TopicCreator(KafkaSettings.from(infra.env()));
    creator.ensure(List.of(creator.sessions()));
    String topic = infra.topic("sessions");
    send(infra, List.of(new ProducerRecord<>(topic, 0, "s-2", encodeV2("s-2"))));

    Result r = run(infra, RecordDecoder.standard(), "tail", topic, "--from-beginning", "--limit", "1");

    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().get(0).contains("\"undecodable\""), r.out().get(0));
  }

  @Test
  void tail_fromTheEnd_printsOnlyRecordsWrittenAfterItStarted(WeftInfra infra) throws Exception {
    TopicCreator creator = new TopicCreator(KafkaSettings.from(infra.env()));
    creator.ensure(List.of(creator.gateways()));
    String topic = infra.topic("gateways");
    var serde = AvroSerde.gatewayHeartbeat();
    send(infra, List.of(new ProducerRecord<>(topic, "gw-old",
        serde.encode(new dev.weft.schemas.GatewayHeartbeat("gw-old", 1L, 0)))));

    var result = new java.util.concurrent.CompletableFuture<Result>();
    Thread t = new Thread(() -> result.complete(run(infra, RecordDecoder.standard(), "tail", topic, "--limit", "1")));
    t.start();
    // The tail fixes its start at the end offset (1) before polling; keep writing until it has printed one record.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
      send(infra, List.of(new ProducerRecord<>(topic, "gw-new",
          serde.encode(new dev.weft.schemas.GatewayHeartbeat("gw-new", 2L, 7)))));
      return result.isDone();
    });
    Result r = result.get();
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().get(0).contains("\"key\": \"gw-new\"") && r.out().get(0).contains("\"sessions\": 7"), r.out().get(0));
  }

  @Test
  void list_showsEachTopicsPartitionsAndEndOffsets(WeftInfra infra) throws Exception {
    TopicCreator creator = new TopicCreator(KafkaSettings.from(infra.env()));
    creator.ensure(List.of(creator.inbound(), creator.gateways()));
    String inbound = infra.topic("inbound");
    send(infra, List.of(
        new ProducerRecord<>(inbound, 0, "c", new byte[] {1}),
        new ProducerRecord<>(inbound, 0, "c", new byte[] {2}),
        new ProducerRecord<>(inbound, 2, "d", new byte[] {3})));

    Result r = run(infra, RecordDecoder.standard(), "list");

    assertEquals(0, r.code(), r.err());
    assertEquals(2, r.out().size(), String.join("\n", r.out()));
    assertTrue(r.out().get(0).matches("\\Q" + infra.topic("gateways") + "\\E +partitions=1  end=0  \\[0:0]"), r.out().get(0));
    assertTrue(r.out().get(1).matches("\\Q" + inbound + "\\E +partitions=3  end=3  \\[0:2 1:0 2:1]"), r.out().get(1));
  }

  @Test
  void errors_nameWhatIsWrong_withExitCode2(WeftInfra infra) {
    Result unknown = run(infra, RecordDecoder.standard(), "tail", infra.topic("nope"), "--limit", "1");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown topic " + infra.topic("nope")), unknown.err());

    Result badLimit = run(infra, RecordDecoder.standard(), "tail", "x", "--limit", "many");
    assertEquals(2, badLimit.code());
    assertTrue(badLimit.err().contains("--limit many is not a whole number"), badLimit.err());

    Result noCommand = run(infra, RecordDecoder.standard(), "frobnicate");
    assertEquals(2, noCommand.code());
    assertTrue(noCommand.err().contains("usage: weft topics list"), noCommand.err());
  }

  @Test
  void standardDecoder_knowsTheCurrentAndEveryReleasedSchema() {
    var released = KnownSchemas.released();
    assertTrue(released.containsKey("0.1.0"), released.keySet().toString());
    RecordDecoder decoder = RecordDecoder.standard();
    for (var version : released.values()) {
      version.forEach(s -> assertTrue(decoder.knows(s), s.getFullName()));
    }
    assertTrue(decoder.knows(SessionAnnouncement.getClassSchema()));
  }

  @Test
  void regroup_givesTheGroupsTopicTheInboundPartitionsAndKeepsTheLatestSnapshotOfEveryGroup(WeftInfra infra,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path backups) throws Exception {
    KafkaSettings kafka = KafkaSettings.from(infra.env());
    TopicCreator creator = new TopicCreator(kafka);
    creator.ensure(List.of(creator.inbound(), creator.groups(2))); // as a cluster made before the rule had it
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    Map<String, String> expected = new java.util.TreeMap<>();
    for (int i = 0; i < 20; i++) {
      records.add(new ProducerRecord<>(kafka.topics().groups(), "g" + i, ("v1-" + i).getBytes(StandardCharsets.UTF_8)));
      expected.put("g" + i, "v1-" + i);
    }
    records.add(new ProducerRecord<>(kafka.topics().groups(), "g3", "v2-3".getBytes(StandardCharsets.UTF_8)));
    expected.put("g3", "v2-3");
    records.add(new ProducerRecord<>(kafka.topics().groups(), "g4", null));
    expected.remove("g4");
    send(infra, records);

    Properties member = infra.kafkaProps();
    member.put("group.id", "weft-router-regroup-" + infra.topicPrefix());
    try (KafkaConsumer<String, byte[]> router = new KafkaConsumer<>(member, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      router.subscribe(List.of(kafka.topics().inbound()));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
        router.poll(java.time.Duration.ofMillis(100));
        return !router.assignment().isEmpty();
      });
      Result refused = run(infra.env(Map.of("WEFT_ROUTER_GROUP", member.getProperty("group.id"))), "regroup");
      assertEquals(1, refused.code(), refused.err());
      assertTrue(refused.err().contains("stop the routers first"), refused.err());
    }

    Result done = run(infra.env(), "regroup", "--backup-dir", backups.toString());
    assertEquals(0, done.code(), done.err());
    assertTrue(done.out().get(0).contains("read 19 groups"), done.out().toString());
    Map<String, String> got = new java.util.TreeMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(infra.kafkaProps(), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(kafka.topics().groups()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      assertEquals(3, partitions.size(), "as many partitions as the inbound topic");
      c.assign(partitions);
      c.seekToBeginning(partitions);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (got.size() < expected.size() && System.nanoTime() < deadline) {
        for (var r : c.poll(java.time.Duration.ofMillis(200))) {
          assertEquals(KeyPartitions.of(r.key(), 3), r.partition(), r.key() + " where a router looks for it");
          got.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertEquals(expected, got);
    assertEquals(0, run(infra.env(), "regroup").code(), "a second run has nothing to do");
    try (var files = java.nio.file.Files.list(backups)) {
      assertEquals(1, files.count(), "the backup is kept");
    }
  }

  private static Result run(dev.weft.common.Env env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TopicsMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), RecordDecoder.standard(), false);
    String text = out.toString(StandardCharsets.UTF_8);
    return new Result(code, text.isEmpty() ? List.of() : List.of(text.split("\n")), err.toString(StandardCharsets.UTF_8));
  }
}
