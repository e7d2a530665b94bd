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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./weft scale}, its first part: what the routers' session state costs, measured. Starts a KRaft controller
 * and a broker as processes, then routers as processes: first with no session (their baseline heap), then after
 * {@code WEFT_SCALE_SESSIONS} synthetic sessions over {@code WEFT_SCALE_GATEWAYS} gateways are written straight to
 * the sessions topic, with 1, 2 and 4 routers; then after {@code WEFT_SCALE_GROUPS} group snapshots of
 * {@code WEFT_SCALE_MEMBERS} members each are written to the groups topic, with 1 and 2 routers. For each router:
 * heap in use after a full collection ({@code jcmd GC.run}, then {@code GC.heap_info}) and the time from its start to
 * ready (groups and session table loaded). Prints markdown tables and writes them to {@code WEFT_SCALE_OUT/scale.md}.
 */
public final class ScaleMain {

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private ScaleMain() {}

  public static void main(String[] args) throws Exception {
    Env env = new Env(System.getenv());
    int sessions = env.integer("WEFT_SCALE_SESSIONS", 1_000_000, 1, 100_000_000);
    int gateways = env.integer("WEFT_SCALE_GATEWAYS", 100, 1, 10_000);
    int groups = env.integer("WEFT_SCALE_GROUPS", 500_000, 0, 100_000_000);
    int members = env.integer("WEFT_SCALE_MEMBERS", 20, 1, 10_000);
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
    creator.ensure(List.of(creator.sessions(), creator.gateways(), creator.groups()));

    StringBuilder table = new StringBuilder()
        .append("| sessions | routers | heap after full GC, per router (MiB) | of which sessions, per session (B) | start to ready, slowest router (s) |\n")
        .append("| ---: | ---: | ---: | ---: | ---: |\n");
    Measured base = measure(root, out, bootstrap, 1, "empty");
    table.append(String.format("| 0 | 1 | %.0f | - | %.1f |%n", base.kb() / 1024.0, base.seconds()));
    write(kafka, bootstrap, sessions, gateways);
    long sessionsKb = 0;
    for (int routers : new int[] {1, 2, 4}) {
      Measured m = measure(root, out, bootstrap, routers, "sessions");
      sessionsKb = routers == 1 ? m.kb() : sessionsKb;
      table.append(String.format("| %d | %d | %.0f | %.0f | %.1f |%n", sessions, routers, m.kb() / 1024.0,
          (m.kb() - base.kb()) * 1024.0 / sessions, m.seconds()));
      System.out.println("weft scale: " + sessions + " sessions, " + routers + " routers: " + m);
    }
    String groupTable = "";
    if (groups > 0) {
      writeGroups(kafka, bootstrap, groups, members, sessions);
      StringBuilder g = new StringBuilder()
          .append("| memberships | groups | routers | heap after full GC, per router (MiB) | of which memberships, per membership (B) | start to ready, slowest router (s) |\n")
          .append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (int routers : new int[] {1, 2}) {
        Measured m = measure(root, out, bootstrap, routers, "groups");
        long memberships = (long) groups * members;
        g.append(String.format("| %d | %d | %d | %.0f | %.0f | %.1f |%n", memberships, groups, routers, m.kb() / 1024.0,
            (m.kb() - sessionsKb) * 1024.0 / memberships, m.seconds()));
        System.out.println("weft scale: " + memberships + " memberships, " + routers + " routers: " + m);
      }
      groupTable = "\nWith " + groups + " groups of " + members + " members added (the sessions stay):\n\n" + g;
    }
    String md = "Scale run: " + sessions + " sessions over " + gateways + " gateways, one broker; "
        + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ".\n\n"
        + table + groupTable;
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

  /** Writes one snapshot per group, each with {@code members} current members drawn from the synthetic users. */
  private static void writeGroups(KafkaSettings kafka, String bootstrap, int groups, int members, int users)
      throws Exception {
    AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
    java.util.Random random = new java.util.Random(15);
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
      }
      producer.flush();
    }
    System.out.printf("weft scale: wrote %d groups of %d members in %.1f s%n", groups, members, (System.nanoTime() - t0) / 1e9);
  }

  /** Heap in use after a full collection of the fullest router, and the time until the last one was ready. */
  record Measured(long kb, double seconds) {}

  /** Starts {@code routers} routers at once, waits until all are ready, measures each, stops them. */
  private static Measured measure(Path root, Path out, String bootstrap, int routers, String phase) throws Exception {
    List<Proc> procs = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int r = 0; r < routers; r++) {
        Map<String, String> env = base();
        env.put("WEFT_KAFKA_BOOTSTRAP", bootstrap);
        env.put("WEFT_REPLICATION_FACTOR", "1"); // one broker: what is measured is the router, not replication
        env.put("WEFT_ROUTER_ID", "scale-" + phase + "-" + routers + "-" + r);
        env.put("WEFT_ROUTER_HTTP_PORT", "0");
        env.put("WEFT_ROUTER_START_TIMEOUT_MS", "1800000");
        // The synthetic gateways send no heartbeats: a router must not take them for dead while it is measured.
        env.put("WEFT_GATEWAY_EXPIRY_MS", "86400000");
        Path log = out.resolve("logs").resolve("router-" + phase + "-" + routers + "-" + r + ".log");
        logs.add(log);
        procs.add(Proc.start("router", java(root, "router", "dev.weft.router.RouterMain", List.of()), env, log,
            "Weft router"));
      }
      for (int r = 0; r < routers; r++) {
        procs.get(r).awaitReady(1800, logs.get(r));
      }
      double readySeconds = (System.nanoTime() - t0) / 1e9;
      long worstKb = 0;
      for (Proc p : procs) {
        jcmd(p.pid(), "GC.run");
        Matcher m = USED.matcher(jcmd(p.pid(), "GC.heap_info"));
        worstKb = Math.max(worstKb, m.find() ? Long.parseLong(m.group(1)) : 0);
      }
      return new Measured(worstKb, readySeconds);
    } finally {
      procs.forEach(Proc::stop);
    }
  }

  private static List<String> java(Path root, String module, String main, List<String> jvm) throws IOException {
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


  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return text;
  }
}
