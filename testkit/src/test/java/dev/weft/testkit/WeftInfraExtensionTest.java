package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.Env;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(WeftInfraExtension.class)
class WeftInfraExtensionTest {

  private static final Set<String> PREFIXES = ConcurrentHashMap.newKeySet();
  private static String classSchema;

  private final WeftInfra fromConstructor;
  private WeftInfra fromBeforeEach;

  WeftInfraExtensionTest(WeftInfra infra) {
    this.fromConstructor = infra;
  }

  @BeforeAll
  static void beforeAll(WeftInfra infra) {
    classSchema = infra.dbSchema();
  }

  @BeforeEach
  void beforeEach(WeftInfra infra) {
    fromBeforeEach = infra;
  }

  @Test
  void oneTestSeesOneInfra_fromConstructorBeforeEachAndParameter(WeftInfra infra) {
    assertSame(fromConstructor, infra);
    assertSame(fromBeforeEach, infra);
    record(infra);
  }

  @Test
  void topicPrefix_isLegalAndUniquePerTestMethod(WeftInfra infra) {
    assertTrue(infra.topicPrefix().matches("t[0-9a-f]{8}\\."), infra.topicPrefix());
    assertTrue(PREFIXES.add(infra.topicPrefix()), "prefix seen before: " + infra.topicPrefix());
    record(infra);
  }

  @Test
  void everyTestOfTheClass_sharesTheClassSchema_andTheDatabaseAnswers(WeftInfra infra) throws Exception {
    assertEquals(classSchema, infra.dbSchema());
    assertTrue(infra.dbSchema().matches("weft_[0-9a-f]{12}"), infra.dbSchema());
    try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
        assertTrue(rs.next());
        assertEquals(infra.dbSchema(), rs.getString(1));
      }
      s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
      s.execute("INSERT INTO t VALUES (1), (2)");
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getInt(1));
      }
    }
    record(infra);
  }

  @Test
  void kafkaProps_reachTheBroker_throughTopicsUnderThePrefix(WeftInfra infra) throws Exception {
    String topic = infra.topic("echo");
    Properties props = infra.kafkaProps();
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get();
    }
    Properties consumerProps = infra.kafkaProps();
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, infra.topic("group"));
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    assertEquals(List.of("v"), values);
    record(infra);
  }

  @Test
  void env_carriesThisTestsInfrastructure_withOverridesOnTop(WeftInfra infra) {
    Env env = infra.env(Map.of("WEFT_INBOUND_PARTITIONS", "7", "WEFT_GATEWAY_ID", "gw-test"));
    assertEquals(infra.kafkaBootstrap(), env.raw("WEFT_KAFKA_BOOTSTRAP").orElseThrow());
    assertEquals(infra.topicPrefix(), env.raw("WEFT_TOPIC_PREFIX").orElseThrow());
    assertEquals("1", env.raw("WEFT_REPLICATION_FACTOR").orElseThrow());
    assertEquals("7", env.raw("WEFT_INBOUND_PARTITIONS").orElseThrow());
    assertEquals("gw-test", env.raw("WEFT_GATEWAY_ID").orElseThrow());
    assertEquals(infra.jdbcUrl(), env.raw("WEFT_DB_URL").orElseThrow());
    assertEquals(infra.dbUser(), env.string("WEFT_DB_USER", "?"));
    assertEquals(infra.jwtSecret(), env.raw("WEFT_JWT_SECRET").orElseThrow());
    assertTrue(infra.jwtSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32);
    assertEquals("0", env.raw("WEFT_HTTP_PORT").orElseThrow());
    assertEquals("0", env.raw("WEFT_PERSISTER_HTTP_PORT").orElseThrow());
    assertEquals("0", env.raw("WEFT_GATEWAY_OPS_PORT").orElseThrow());
    assertEquals("0", env.raw("WEFT_PERSISTER_OPS_PORT").orElseThrow());
    assertEquals(WeftInfra.INTERNAL_SECRET, env.raw("WEFT_INTERNAL_SECRET").orElseThrow());
    assertFalse(env.dev());
    assertEquals("3", infra.env().raw("WEFT_INBOUND_PARTITIONS").orElseThrow());
    record(infra);
  }

  @AfterAll
  static void afterAll(WeftInfra infra) {
    assertEquals(classSchema, infra.dbSchema());
    assertTrue(PREFIXES.size() >= 1);
    SharedRecord.FINISHED.add(WeftInfraExtensionTest.class.getName());
  }

  private static void record(WeftInfra infra) {
    SharedRecord.BOOTSTRAPS.add(infra.kafkaBootstrap());
    assertEquals(1, SharedRecord.BOOTSTRAPS.size(), "one broker per run: " + SharedRecord.BOOTSTRAPS);
    SharedRecord.SCHEMAS.put(WeftInfraExtensionTest.class.getName(), infra.dbSchema());
    assertNotEquals(SharedRecord.SCHEMAS.get(SecondClassTest.class.getName()), infra.dbSchema());
  }
}
