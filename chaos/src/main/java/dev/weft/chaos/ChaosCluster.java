package dev.weft.chaos;

import dev.weft.common.FreePorts;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The whole cluster of a fault run, every part its own process: a KRaft controller and three brokers, MariaDB, two
 * persisters, two routers and two gateways, with a balancer in front of the gateways (for the clients) and one in
 * front of the persisters (for the gateways), as a Kubernetes Service would be. Every part can be killed, paused and
 * started again on the same ports and data.
 */
final class ChaosCluster implements AutoCloseable {

  static final int BROKERS = 3;
  static final String JWT_SECRET = "chaos-run-secret-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
  private static final String INTERNAL_SECRET = "chaos-internal-" + Long.toHexString(System.nanoTime()) + "-fedcba9876543210";
  private static final long START_SECONDS = 180;

  private final ChaosConfig config;
  private final Path data;
  private final Path logs;
  private final int controllerPort = FreePorts.pick();
  private final int[] brokerPorts = IntStream.range(0, BROKERS).map(i -> FreePorts.pick()).toArray();
  private final int dbPort = FreePorts.pick();
  private final int gatewayLbPort = FreePorts.pick();
  private final int persisterLbPort = FreePorts.pick();
  final Part controller;
  final List<Part> brokers = new ArrayList<>();
  final Part database;
  final List<Part> persisters = new ArrayList<>();
  final List<Part> routers = new ArrayList<>();
  final List<Part> gateways = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private TcpBalancer gatewayLb;
  private TcpBalancer persisterLb;
  private boolean closed;

  ChaosCluster(ChaosConfig config) {
    this.config = config;
    this.data = config.outDir().resolve("data");
    this.logs = config.outDir().resolve("logs");
    controller = kafkaNode("controller", "controller", 0, controllerPort);
    for (int i = 0; i < BROKERS; i++) {
      brokers.add(kafkaNode("broker-" + (i + 1), "broker", i + 1, brokerPorts[i]));
    }
    Map<String, String> db = base();
    db.put("WEFT_MARIADB_PORT", String.valueOf(dbPort));
    // The binaries are unpacked once per checkout; the data is the run's own.
    db.put("WEFT_MARIADB_BASE_DIR", config.root().resolve(".weft/chaos-mariadb-base").toString());
    db.put("WEFT_MARIADB_DATA_DIR", data.resolve("mariadb").toString());
    database = new Part("mariadb", "embedded", "dev.weft.embedded.MariaDbMain", db, "mariadb ready", List.of("-Xmx128m"));
    for (int i = 1; i <= 2; i++) {
      Map<String, String> p = services();
      p.put("WEFT_DB_URL", "jdbc:mysql://127.0.0.1:" + dbPort + "/weft?createDatabaseIfNotExist=true");
      p.put("WEFT_DB_USER", "root");
      p.put("WEFT_DB_PASSWORD", "chaos");
      p.put("WEFT_PERSISTER_HTTP_PORT", String.valueOf(FreePorts.pick()));
      p.put("WEFT_PERSISTER_OPS_PORT", String.valueOf(FreePorts.pick()));
      persisters.add(new Part("persister-" + i, "persister", "dev.weft.persister.PersisterMain", p, "persister writing",
          List.of("-Xmx384m")));
      Map<String, String> r = services();
      r.put("WEFT_ROUTER_ID", "router-" + i);
      r.put("WEFT_ROUTER_HTTP_PORT", String.valueOf(FreePorts.pick()));
      routers.add(new Part("router-" + i, "router", "dev.weft.router.RouterMain", r, "ready: routing", List.of("-Xmx384m")));
      Map<String, String> g = services();
      g.put("WEFT_GATEWAY_ID", "gw-" + i);
      g.put("WEFT_HTTP_PORT", String.valueOf(FreePorts.pick()));
      g.put("WEFT_GATEWAY_OPS_PORT", String.valueOf(FreePorts.pick()));
      g.put("WEFT_PERSISTER_URL", "http://127.0.0.1:" + persisterLbPort);
      // Long enough for every client to be asked to move, short enough to stay inside a quiet period.
      g.put("WEFT_DRAIN_PERIOD_MS", "5000");
      gateways.add(new Part("gateway-" + i, "gateway", "dev.weft.gateway.GatewayMain", g, "listening on port",
          List.of("-Xmx384m")));
    }
  }

  /** Starts every part in dependency order, parts of one kind at once. */
  void start() throws Exception {
    Files.createDirectories(data);
    controller.start();
    controller.awaitReady();
    startAll(brokers);
    database.start();
    database.awaitReady();
    startAll(persisters);
    startAll(routers);
    startAll(gateways);
    persisterLb = TcpBalancer.start(vertx, persisterLbPort, persisters.stream().map(p -> p.port("WEFT_PERSISTER_HTTP_PORT")).toList());
    gatewayLb = TcpBalancer.start(vertx, gatewayLbPort, gateways.stream().map(p -> p.port("WEFT_HTTP_PORT")).toList());
  }

  private static void startAll(List<Part> parts) throws Exception {
    for (Part p : parts) {
      p.start();
    }
    for (Part p : parts) {
      p.awaitReady();
    }
  }

  /** Starts several parts again at once (a fault that killed two restarts both). */
  static void restartAll(List<Part> parts) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parts.size());
    try {
      List<CompletableFuture<Void>> all = parts.stream().map(p -> CompletableFuture.runAsync(() -> {
        try {
          p.start();
          p.awaitReady();
        } catch (Exception e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      }, pool)).toList();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdown();
    }
  }

  String bootstrap() {
    return IntStream.of(brokerPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  String jdbcUrl() {
    return "jdbc:mysql://127.0.0.1:" + dbPort + "/weft";
  }

  /** Where clients connect: the balancer in front of the gateways. */
  int clientPort() {
    return gatewayLbPort;
  }

  /** The gateway with the most client connections now: the one whose loss hurts most. */
  Part busiestGateway() {
    return gatewayLb.openTo(0) >= gatewayLb.openTo(1) ? gateways.get(0) : gateways.get(1);
  }

  /** The broker with node id {@code id} (1-based). */
  Part broker(int id) {
    return brokers.get(id - 1);
  }

  private Part kafkaNode(String name, String role, int id, int port) {
    Map<String, String> env = base();
    env.put("WEFT_KAFKA_NODE_ROLE", role);
    env.put("WEFT_KAFKA_NODE_ID", String.valueOf(id));
    env.put("WEFT_KAFKA_NODE_PORT", String.valueOf(port));
    env.put("WEFT_KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
    env.put("WEFT_KAFKA_NODE_DIR", data.resolve(name).toString());
    env.put("WEFT_KAFKA_BROKERS", String.valueOf(BROKERS));
    return new Part(name, "embedded", "dev.weft.embedded.KafkaNodeMain", env, "kafka node ready", List.of("-Xmx512m"));
  }

  private Map<String, String> base() {
    return baseEnv();
  }

  /**
   * What a child process inherits: only what a JVM needs to run (PATH, HOME, LANG, TMPDIR, USER), never the caller's
   * WEFT_* settings, and WEFT_DEV=0 so it runs as deployed.
   */
  static Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    for (String k : List.of("PATH", "HOME", "LANG", "TMPDIR", "USER")) {
      String v = System.getenv(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    env.put("WEFT_DEV", "0");
    return env;
  }


  private Map<String, String> services() {
    Map<String, String> env = base();
    env.put("WEFT_KAFKA_BOOTSTRAP", bootstrap());
    env.put("WEFT_REPLICATION_FACTOR", String.valueOf(BROKERS));
    env.put("WEFT_JWT_SECRET", JWT_SECRET);
    env.put("WEFT_INTERNAL_SECRET", INTERNAL_SECRET);
    return env;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Part> all = new ArrayList<>();
    all.addAll(gateways);
    all.addAll(routers);
    all.addAll(persisters);
    all.add(database);
    all.addAll(brokers);
    all.add(controller);
    // Services first, so none logs a storm of errors about a broker that went before it.
    all.parallelStream().filter(p -> !p.kind().equals("embedded")).forEach(Part::stop);
    all.parallelStream().filter(p -> p.kind().equals("embedded")).forEach(Part::stop);
    if (gatewayLb != null) {
      gatewayLb.close();
    }
    if (persisterLb != null) {
      persisterLb.close();
    }
    vertx.close();
  }

  /** One part: how to start it, and its process while it runs. */
  final class Part {
    private final String name;
    private final String module;
    private final String main;
    private final Map<String, String> env;
    private final String ready;
    private final List<String> jvm;
    private volatile Proc proc;

    Part(String name, String module, String main, Map<String, String> env, String ready, List<String> jvm) {
      this.name = name;
      this.module = module;
      this.main = main;
      this.env = env;
      this.ready = ready;
      this.jvm = jvm;
    }

    String name() {
      return name;
    }

    String kind() {
      return module;
    }

    int port(String key) {
      return Integer.parseInt(env.get(key));
    }

    Proc proc() {
      return proc;
    }

    void start() throws IOException {
      if (proc != null && proc.alive()) {
        throw new IllegalStateException(name + " is already running");
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvm);
      command.addAll(config.javaOptions());
      command.add("-cp");
      command.add(classpath(module));
      command.add(main);
      proc = Proc.start(name, command, env, log(), ready);
    }

    void awaitReady() throws IOException {
      proc.awaitReady(START_SECONDS, log());
    }

    Path log() {
      return logs.resolve(name + ".log");
    }

    void stop() {
      if (proc != null) {
        proc.stop();
      }
    }
  }

  private String classpath(String module) throws IOException {
    Path dir = config.root().resolve(module).resolve("target");
    Path file = dir.resolve("classpath.txt");
    if (!Files.exists(file)) {
      throw new IOException(file + " is missing: build first (./weft build)");
    }
    return dir.resolve("classes") + java.io.File.pathSeparator + Files.readString(file).trim();
  }
}
