package dev.weft.testkit;

import dev.weft.common.Env;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The infrastructure one test sees: the run's shared Kafka broker, a topic prefix of its own, and its class's own
 * database schema. Injected by {@link WeftInfraExtension}.
 *
 * <p>Each test method gets its own instance (its constructor, {@code @BeforeEach}, test and {@code @AfterEach}
 * share it); {@code @BeforeAll}/{@code @AfterAll} methods get one for the class. Instances of one class share the
 * schema. Nothing starts until it is first asked for: a test that only uses Kafka never starts a database.
 */
public final class WeftInfra {

  /** HS256 secret every test kit {@link #env()} carries: 32+ bytes, and not the development secret. */
  public static final String JWT_SECRET = "weft-testkit-jwt-secret-0123456789abcdef";
  /** WEFT_INTERNAL_SECRET of every service under test: what gateways present to persisters. */
  public static final String INTERNAL_SECRET = "weft-testkit-internal-secret-0123456789";

  private final String topicPrefix;
  private final Supplier<String> kafkaBootstrap;
  private final Supplier<ClassSchema> schema;

  WeftInfra(String topicPrefix, Supplier<String> kafkaBootstrap, Supplier<ClassSchema> schema) {
    this.topicPrefix = topicPrefix;
    this.kafkaBootstrap = kafkaBootstrap;
    this.schema = schema;
  }

  /** The shared broker's bootstrap address, {@code 127.0.0.1:<port>}. Starts the broker on first use in a run. */
  public String kafkaBootstrap() {
    return kafkaBootstrap.get();
  }

  /**
   * A prefix for every topic (and consumer group) this test creates, unique to this test: {@code t<8 hex>.}. The
   * broker is shared by the whole run, so tests must never use a fixed topic name.
   */
  public String topicPrefix() {
    return topicPrefix;
  }

  /** {@code topicPrefix() + name}. */
  public String topic(String name) {
    return topicPrefix + name;
  }

  /** A JDBC URL to this class's own, initially empty, schema. Starts the database on first use in a run. */
  public String jdbcUrl() {
    return schema.get().jdbcUrl();
  }

  /** The schema's name, {@code weft_<random>}. */
  public String dbSchema() {
    return schema.get().name();
  }

  public String dbUser() {
    return schema.get().server().user();
  }

  public String dbPassword() {
    return schema.get().server().password();
  }

  /** The JWT secret in {@link #env()}, to sign test tokens with. */
  public String jwtSecret() {
    return JWT_SECRET;
  }

  /** {@link #env(Map)} with no overrides. */
  public Env env() {
    return env(Map.of());
  }

  /**
   * Settings for a Weft service under test: this test's broker, topic prefix and schema, replication factor 1, 3
   * inbound partitions, the test JWT and internal secrets, HTTP and ops ports 0 (pick a free one), WEFT_DEV=0; then {@code overrides} on
   * top. Starts the broker and the database if they are not running yet.
   */
  public Env env(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("WEFT_DEV", "0");
    values.put("WEFT_KAFKA_BOOTSTRAP", kafkaBootstrap());
    values.put("WEFT_TOPIC_PREFIX", topicPrefix);
    values.put("WEFT_REPLICATION_FACTOR", "1");
    values.put("WEFT_INBOUND_PARTITIONS", "3");
    values.put("WEFT_DB_URL", jdbcUrl());
    values.put("WEFT_DB_USER", dbUser());
    values.put("WEFT_DB_PASSWORD", dbPassword());
    values.put("WEFT_JWT_SECRET", JWT_SECRET);
    values.put("WEFT_HTTP_PORT", "0");
    values.put("WEFT_ROUTER_HTTP_PORT", "0"); // several routers share a test JVM
    values.put("WEFT_PERSISTER_HTTP_PORT", "0");
    values.put("WEFT_GATEWAY_OPS_PORT", "0");
    values.put("WEFT_SERVER_API_PORT", "0");
    values.put("WEFT_PERSISTER_OPS_PORT", "0");
    values.put("WEFT_INTERNAL_SECRET", INTERNAL_SECRET);
    values.putAll(overrides);
    return new Env(values);
  }

  /** Client properties for test producers, consumers and admins: only {@code bootstrap.servers} is set. */
  public Properties kafkaProps() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafkaBootstrap());
    return p;
  }

  @Override
  public String toString() {
    return "WeftInfra[topicPrefix=" + topicPrefix + "]";
  }
}
