package dev.weft.chaos;

import dev.weft.common.Env;
import dev.weft.common.FreePorts;
import dev.weft.common.KafkaSettings;
import dev.weft.common.TopicCreator;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupMember;
import dev.weft.schemas.GroupSnapshot;
import dev.weft.schemas.SessionAnnouncement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./weft scale}: what the routers' state costs, measured. Starts a KRaft controller and a broker as processes,
 * then routers as processes ({@link ScaleRouters}): first with no session (their baseline heap), then after
 * {@code WEFT_SCALE_SESSIONS} synthetic sessions over {@code WEFT_SCALE_GATEWAYS} gateways are written straight to
 * the sessions topic, with 1, 2 and 4 routers; then after {@code WEFT_SCALE_GROUPS} group snapshots of
 * {@code WEFT_SCALE_MEMBERS} members each are written to the groups topic, with 1, 2 and 4 routers again, each time
 * with the routing latency of {@code WEFT_SCALE_RATE} group messages a second ({@link RoutingLatency}). For each
 * router: heap in use after a full collection, the partitions it routes and the groups it holds; for each phase, the
 * time from the routers' start until every inbound partition is routed. Prints markdown tables and writes them to
 * {@code WEFT_SCALE_OUT/scale.md}.
 */
public final class ScaleMain {

  private ScaleMain() {}

  public static void main(String[] args) throws Exception {
    Env env = new Env(System.getenv());
    int sessions = env.integer("WEFT_SCALE_SESSIONS", 1_000_000, 1, 100_000_000);
    int gateways = env.integer("WEFT_SCALE_GATEWAYS", 100, 1, 10_000);
    int groups = env.integer("WEFT_SCALE_GROUPS", 500_000, 0, 100_000_000);
    int members = env.integer("WEFT_SCALE_MEMBERS", 20, 1, 10_000);
    int rate = env.integer("WEFT_SCALE_RATE", 100, 1, 100_000);
    int gatewayUsers = env.integer("WEFT_SCALE_GATEWAY_USERS", 10_000, 0, 15_000);
    boolean routerPhases = env.integer("WEFT_SCALE_ROUTER_PHASES", 1, 0, 1) == 1;
    Path root = Path.of(env.string("WEFT_ROOT", ".")).toAbsolutePath().normalize();
    Path out = Path.of(env.string("WEFT_SCALE_OUT", root.resolve(".weft/scale/" + Instant.now().toEpochMilli()).toString()));
    Files.createDirectories(out);
    List<Proc> running = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Proc::stop), "weft-scale-stop"));
    int controllerPort = FreePorts.pick();
    int brokerPort = FreePorts.pick();
    running.add(kafkaNode(root, out, "controller", "controller", 0, controllerPort, controllerPort));
    running.add(kafkaNode(root, out, "broker", "broker", 1, brokerPort, controllerPort));
    String bootstrap = "127.0.0.1:" + brokerPort;
    KafkaSettings kafka = KafkaSettings.from(new Env(Map.of("WEFT_KAFKA_BOOTSTRAP", bootstrap,
        "WEFT_REPLICATION_FACTOR", "1")));
    TopicCreator creator = new TopicCreator(kafka);
    List<org.apache.kafka.clients.admin.NewTopic> topics = new ArrayList<>(List.of(creator.inbound(), creator.sessions(),
        creator.gateways(), creator.groups()));
    for (int g = 0; g < gateways; g++) {
      topics.add(creator.deliveries("gw-" + g)); // what the routers write to; the latency probe reads them
    }
    creator.ensure(topics);
    int partitions = kafka.inboundPartitions();

    StringBuilder table = new StringBuilder()
        .append("| sessions | routers | heap after full GC, per router (MiB) | of which sessions, per session (B) | start to ready, slowest router (s) |\n")
        .append("| ---: | ---: | ---: | ---: | ---: |\n");
    Measured base = measure(root, out, bootstrap, 1, "empty", partitions);
    table.append(String.format("| 0 | 1 | %.0f | - | %.1f |%n", base.maxKb() / 1024.0, base.seconds()));
    write(kafka, bootstrap, sessions, gateways);
    long sessionsKb = 0;
    for (int routers : routerPhases ? new int[] {1, 2, 4} : new int[0]) {
      Measured m = measure(root, out, bootstrap, routers, "sessions", partitions);
      sessionsKb = routers == 1 ? m.maxKb() : sessionsKb;
      table.append(String.format("| %d | %d | %.0f | %.0f | %.1f |%n", sessions, routers, m.maxKb() / 1024.0,
          (m.maxKb() - base.maxKb()) * 1024.0 / sessions, m.seconds()));
      System.out.println("weft scale: " + sessions + " sessions, " + routers + " routers: " + m);
    }
    String groupTable = "";
    if (groups > 0) {
      List<GroupSnapshot> ofGatewayUsers = new ArrayList<>();
      List<String[]> written = writeGroups(kafka, bootstrap, groups, members, sessions, gatewayUsers, ofGatewayUsers);
      StringBuilder g = new StringBuilder()
          .append("| routers | partitions per router | groups held per router | heap after full GC, per router (MiB) | of which memberships, per membership (B) | start to ready, slowest router (s) | routing p50 / p99 (ms) at ")
          .append(rate).append(" group msgs/s |\n")
          .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (int routers : routerPhases ? new int[] {1, 2, 4} : new int[0]) {
        Measured m = measure(root, out, bootstrap, routers, "groups", partitions,
            () -> RoutingLatency.measure(kafka, written, gateways, rate, Duration.ofSeconds(10), Duration.ofSeconds(20)));
        g.append(String.format("| %d | %s | %s | %s | %.0f | %.1f | %.1f / %.1f |%n", routers,
            m.each(f -> String.valueOf(f.partitions())), m.each(f -> String.valueOf(f.groups())),
            m.each(f -> String.format("%.0f", f.heapKb() / 1024.0)), m.perMembership(sessionsKb, members),
            m.seconds(), m.latency().p50(), m.latency().p99()));
        System.out.println("weft scale: " + (long) groups * members + " memberships, " + routers + " routers: " + m);
      }
      groupTable = "\nWith " + groups + " groups of " + members + " members (" + (long) groups * members
          + " memberships) added, the sessions staying:\n\n" + g;
      if (gatewayUsers > 0) {
        ScaleGateway.Result r = ScaleGateway.run(root, out, bootstrap, partitions, gatewayUsers, ofGatewayUsers, rate);
        System.out.println("weft scale: gateway: " + r);
        groupTable += "\nOne gateway, its users user-0 to user-" + (gatewayUsers - 1) + " connected as real WebSocket"
            + " clients, the topics as above (" + groups + " groups in weft.groups):\n\n"
            + "| connected users | groups held | users followed (presence held) | heap after full GC, no client / all connected and following (MiB) | start to ready (s) | first connect to every user's groups loaded (s) | every follow loaded (s) | group msgs client to client p50 / p99 (ms) at " + rate + "/s |\n"
            + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            + String.format("| %d | %d | %d | %.0f / %.0f | %.1f | %.1f | %.1f | %.1f / %.1f |%n", r.users(), r.groupsHeld(),
                r.followed(), r.emptyHeapKb() / 1024.0, r.fullHeapKb() / 1024.0, r.readySeconds(), r.loadedSeconds(),
                r.followSeconds(), r.latency().p50(), r.latency().p99());
      }
    }
    String md = "Scale run: " + sessions + " sessions over " + gateways + " gateways, one broker, " + partitions
        + " inbound partitions; " + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ".\n\n" + table + groupTable;
    Files.writeString(out.resolve("scale.md"), md);
    System.out.println(md);
    System.out.println("weft scale: wrote " + out.resolve("scale.md"));
    running.forEach(Proc::stop);
    running.clear();
  }

  private static Proc kafkaNode(Path root, Path out, String name, String role, int id, int port, int controllerPort)
      throws IOException {
    Map<String, String> env = base();
    env.put("WEFT_KAFKA_NODE_ROLE", role);
    env.put("WEFT_KAFKA_NODE_ID", String.valueOf(id));
    env.put("WEFT_KAFKA_NODE_PORT", String.valueOf(port));
    env.put("WEFT_KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
    env.put("WEFT_KAFKA_NODE_DIR", out.resolve("data").resolve(name).toString());
    env.put("WEFT_KAFKA_BROKERS", "1");
    Proc p = Proc.start(name, java(root, "embedded", "dev.weft.embedded.KafkaNodeMain", List.of("-Xmx1g")), env,
        out.resolve("logs").resolve(name + ".log"), "kafka node ready");
    p.awaitReady(120, out.resolve("logs").resolve(name + ".log"));
    return p;
  }

  /** Writes the synthetic sessions, one per user, spread over the gateways, and one heartbeat per gateway. */
  private static void write(KafkaSettings kafka, String bootstrap, int sessions, int gateways) throws Exception {
    AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = bulkProducer(bootstrap)) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < sessions; i++) {
        String session = UUID.randomUUID().toString();
        SessionAnnouncement a = SessionAnnouncement.newBuilder().setSession(session).setUser("user-" + i)
            .setDevice("phone").setGateway("gw-" + (i % gateways)).setConnectedAt(now).setHideLastSeen(false).build();
        producer.send(new ProducerRecord<>(kafka.topics().sessions(), session, serde.encode(a)));
      }
      for (int g = 0; g < gateways; g++) {
        producer.send(new ProducerRecord<>(kafka.topics().gateways(), "gw-" + g, new byte[] {1}));
      }
      producer.flush();
    }
    System.out.printf("weft scale: wrote %d sessions in %.1f s%n", sessions, (System.nanoTime() - t0) / 1e9);
  }

  /** A producer for writing much synthetic state fast: large batches, compressed. */
  private static KafkaProducer<String, byte[]> bulkProducer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Writes one snapshot per group, each with {@code members} current members drawn from the synthetic users; returns
   * each group's id and first member (its admin, who sends in the latency probe).
   */
  private static List<String[]> writeGroups(KafkaSettings kafka, String bootstrap, int groups, int members, int users,
      int gatewayUsers, List<GroupSnapshot> ofGatewayUsers) throws Exception {
    AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
    java.util.Random random = new java.util.Random(15);
    List<String[]> written = new ArrayList<>(groups);
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = bulkProducer(bootstrap)) {
      for (int i = 0; i < groups; i++) {
        String conv = dev.weft.common.ConversationIds.newGroup();
        List<GroupMember> list = new ArrayList<>(members);
        for (int m = 0; m < members; m++) {
          list.add(new GroupMember("user-" + random.nextInt(Math.max(1, users)), 1L, -1L, m == 0));
        }
        GroupSnapshot snapshot = GroupSnapshot.newBuilder().setConv(conv).setTitle("group " + i).setVersion(1)
            .setMaxMembers(Math.max(members, 256)).setMembers(list).build();
        producer.send(new ProducerRecord<>(kafka.topics().groups(), conv, serde.encode(snapshot)));
        if (list.stream().anyMatch(m -> ScaleGateway.connected(m.getUser(), gatewayUsers))) {
          ofGatewayUsers.add(snapshot);
        }
        written.add(new String[] {conv, list.get(0).getUser()});
      }
      producer.flush();
    }
    System.out.printf("weft scale: wrote %d groups of %d members in %.1f s%n", groups, members, (System.nanoTime() - t0) / 1e9);
    return written;
  }

  /** One phase's figures: each router's, the time until all partitions were routed, and the latency probe's. */
  record Measured(List<ScaleRouters.Figure> figures, double seconds, RoutingLatency.Result latency) {
    long maxKb() {
      return figures.stream().mapToLong(ScaleRouters.Figure::heapKb).max().orElse(0);
    }

    String each(java.util.function.Function<ScaleRouters.Figure, String> what) {
      return String.join(", ", figures.stream().map(what).toList());
    }

    /** Mean over the routers of (heap − the sessions-only heap) / memberships held. */
    double perMembership(long sessionsKb, int members) {
      return figures.stream().filter(f -> f.groups() > 0)
          .mapToDouble(f -> (f.heapKb() - sessionsKb) * 1024.0 / (f.groups() * members)).average().orElse(Double.NaN);
    }
  }

  private static Measured measure(Path root, Path out, String bootstrap, int routers, String phase, int partitions)
      throws Exception {
    return measure(root, out, bootstrap, routers, phase, partitions, () -> null);
  }

  /** Starts {@code routers} routers at once, waits until they route every partition, measures each, stops them. */
  private static Measured measure(Path root, Path out, String bootstrap, int routers, String phase, int partitions,
      java.util.concurrent.Callable<RoutingLatency.Result> probe) throws Exception {
    try (ScaleRouters started = ScaleRouters.start(root, out, bootstrap, routers, phase)) {
      double ready = started.awaitRouting(partitions, Duration.ofMinutes(30));
      RoutingLatency.Result latency = probe.call(); // before the full collections, which would stall it
      return new Measured(started.measure(), ready, latency);
    }
  }

  static List<String> java(Path root, String module, String main, List<String> jvm) throws IOException {
    Path dir = root.resolve(module).resolve("target");
    Path file = dir.resolve("classpath.txt");
    if (!Files.exists(file)) {
      throw new IOException(file + " is missing: build first (./weft build)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    command.add("-cp");
    command.add(dir.resolve("classes") + java.io.File.pathSeparator + Files.readString(file).trim());
    command.add(main);
    return command;
  }

  private static Map<String, String> base() {
    return ChaosCluster.baseEnv();
  }



}
