package dev.weft.chaos;

import dev.weft.common.Env;
import dev.weft.common.FreePorts;
import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import dev.weft.common.kafka.KeyPartitions;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupMember;
import dev.weft.schemas.GroupSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's part of {@code ./weft scale}: one gateway, a router, a persister and its MariaDB beside the synthetic
 * topics, and {@code users} real WebSocket clients, the synthetic users {@code user-0} and on. Their groups are
 * written to the persister's tables as its fold would have left them (the gateway loads a connecting user's groups
 * from there); the groups topic holds every group. Measured: the gateway's heap after a full collection with no
 * client and with all of them, start to ready, the time until every user's groups are loaded, and the latency of
 * group messages from one client of the gateway to another, through Kafka and the router.
 */
final class ScaleGateway {

  /** What the phase measured. */
  record Result(int users, long groupsHeld, long emptyHeapKb, long fullHeapKb, double readySeconds,
      double loadedSeconds, long followed, double followSeconds, RoutingLatency.Result latency) {}

  /** How many co-members of their first group each connected user follows the presence of. */
  private static final int FOLLOWS_PER_USER = 5;

  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String JWT_SECRET = "scale-secret-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
  private static final String INTERNAL = "scale-internal-" + Long.toHexString(System.nanoTime()) + "-fedcba9876543210";

  private ScaleGateway() {}

  /**
   * @param ofUsers the synthetic groups with at least one member among the first {@code users} users
   */
  static Result run(Path root, Path out, String bootstrap, int partitions, int users, List<GroupSnapshot> ofUsers,
      int rate) throws Exception {
    List<Proc> procs = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      int dbPort = FreePorts.pick();
      Map<String, String> db = ChaosCluster.baseEnv();
      db.put("WEFT_MARIADB_PORT", String.valueOf(dbPort));
      db.put("WEFT_MARIADB_BASE_DIR", root.resolve(".weft/chaos-mariadb-base").toString());
      db.put("WEFT_MARIADB_DATA_DIR", out.resolve("mariadb").toString());
      Proc mariadb = start(procs, "mariadb", ScaleMain.java(root, "embedded", "dev.weft.embedded.MariaDbMain",
          List.of("-Xmx128m")), db, out.resolve("logs/mariadb.log"), "mariadb ready");
      mariadb.awaitReady(300, out.resolve("logs/mariadb.log"));

      String jdbc = "jdbc:mysql://127.0.0.1:" + dbPort + "/weft?createDatabaseIfNotExist=true";
      int persisterPort = FreePorts.pick();
      Map<String, String> p = services(bootstrap);
      p.put("WEFT_DB_URL", jdbc);
      p.put("WEFT_DB_USER", "root");
      p.put("WEFT_DB_PASSWORD", "");
      p.put("WEFT_PERSISTER_HTTP_PORT", String.valueOf(persisterPort));
      p.put("WEFT_PERSISTER_OPS_PORT", String.valueOf(FreePorts.pick()));
      p.put("WEFT_BARRIER_QUEUE_MAX", String.valueOf(Math.max(32, users))); // every client connects at once
      Proc persister = start(procs, "persister", ScaleMain.java(root, "persister", "dev.weft.persister.PersisterMain",
          List.of()), p, out.resolve("logs/persister.log"), "persister writing");
      persister.awaitReady(300, out.resolve("logs/persister.log"));
      writeTables(jdbc, partitions, users, ofUsers);
      awaitSessionsStored(bootstrap);

      try (ScaleRouters router = ScaleRouters.start(root, out, bootstrap, 1, "gateway")) {
        router.awaitRouting(partitions, Duration.ofMinutes(30));
        int httpPort = FreePorts.pick();
        int opsPort = FreePorts.pick();
        Map<String, String> g = services(bootstrap);
        g.put("WEFT_GATEWAY_ID", "gw-0"); // one of the synthetic gateways: its delivery topic exists
        g.put("WEFT_HTTP_PORT", String.valueOf(httpPort));
        g.put("WEFT_GATEWAY_OPS_PORT", String.valueOf(opsPort));
        g.put("WEFT_PERSISTER_URL", "http://127.0.0.1:" + persisterPort);
        g.put("WEFT_SEND_RATE", "1000");
        g.put("WEFT_SEND_BURST", "1000");
        Path log = out.resolve("logs/gateway.log");
        long t0 = System.nanoTime();
        Proc gateway = start(procs, "gateway", ScaleMain.java(root, "gateway", "dev.weft.gateway.GatewayMain",
            List.of()), g, log, "listening on port");
        gateway.awaitReady(1800, log);
        double ready = (System.nanoTime() - t0) / 1e9;
        long empty = heapKb(gateway.pid());

        Tokens tokens = new Tokens(JwtSettings.from(new Env(Map.of("WEFT_JWT_SECRET", JWT_SECRET))), Clock.systemUTC());
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
            .setMaxConnections(Integer.MAX_VALUE));
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long connectStart = System.nanoTime();
        List<WebSocket> sockets = connect(client, httpPort, tokens, users, sentAt, latencies);
        // Loaded once the gateway holds every group with one of its users in it: the run wrote exactly those.
        long held = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (held < ofUsers.size() && System.nanoTime() < deadline) {
          Thread.sleep(100);
          held = (long) ScaleRouters.gauge(metrics(opsPort), "weft_gateway_groups", "");
        }
        double loaded = (System.nanoTime() - connectStart) / 1e9;
        if (held < ofUsers.size()) {
          System.out.println("weft scale: the gateway loaded " + held + " of " + ofUsers.size()
              + " groups within 10 minutes; see " + log);
        }
        // Presence: each user follows a few co-members; the gateway holds those users' presence, loaded from the
        // persister, and nobody else's of the million sessions.
        Map<Integer, List<String>> follows = follows(users, ofUsers);
        long expected = follows.values().stream().flatMap(List::stream).distinct().count();
        long followStart = System.nanoTime();
        follows.forEach((u, targets) -> sockets.get(u).writeTextMessage(new JsonObject().put("op", "presence_subscribe")
            .put("ref", "follow").put("users", new io.vertx.core.json.JsonArray(targets)).encode()));
        long followed = 0;
        deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (followed < expected && System.nanoTime() < deadline) {
          Thread.sleep(100);
          followed = (long) ScaleRouters.gauge(metrics(opsPort), "weft_gateway_presence_users", "");
        }
        double followSeconds = (System.nanoTime() - followStart) / 1e9;
        RoutingLatency.Result latency = latency(sockets, users, ofUsers, rate, sentAt, latencies);
        long full = heapKb(gateway.pid());
        sockets.forEach(WebSocket::close);
        return new Result(users, held, empty, full, ready, loaded, followed, followSeconds, latency);
      }
    } finally {
      Collections.reverse(procs);
      procs.forEach(Proc::stop);
      vertx.close();
    }
  }

  /** The persister's tables as its fold leaves them: each group's snapshot, and each of the users' intervals. */
  private static void writeTables(String jdbc, int partitions, int users, List<GroupSnapshot> groups) throws Exception {
    AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection(jdbc + "&rewriteBatchedStatements=true", "root", "")) {
      c.setAutoCommit(false);
      try (PreparedStatement state = c.prepareStatement(
              "INSERT INTO groups_state (conv_id, title, version, snapshot) VALUES (?, ?, ?, ?)");
          PreparedStatement member = c.prepareStatement("INSERT IGNORE INTO conversation_members "
              + "(user_id, conv_id, part, last_ts, joined_seq, left_seq) VALUES (?, ?, ?, ?, 1, NULL)")) {
        int n = 0;
        for (GroupSnapshot g : groups) {
          state.setString(1, g.getConv());
          state.setString(2, g.getTitle());
          state.setLong(3, g.getVersion());
          state.setBytes(4, serde.encode(g));
          state.addBatch();
          for (GroupMember m : g.getMembers()) {
            if (connected(m.getUser(), users)) {
              member.setString(1, m.getUser());
              member.setString(2, g.getConv());
              member.setInt(3, KeyPartitions.of(g.getConv(), partitions));
              member.setLong(4, 1);
              member.addBatch();
            }
          }
          if (++n % 2_000 == 0) {
            state.executeBatch();
            member.executeBatch();
            c.commit();
          }
        }
        state.executeBatch();
        member.executeBatch();
        c.commit();
      }
    }
    System.out.printf("weft scale: wrote %d groups' snapshots and their %d users' memberships to MySQL in %.1f s%n",
        groups.size(), users, (System.nanoTime() - t0) / 1e9);
  }

  /** Each connected user's first group's other members, up to {@link #FOLLOWS_PER_USER}, by user number. */
  private static Map<Integer, List<String>> follows(int users, List<GroupSnapshot> groups) {
    Map<Integer, List<String>> out = new HashMap<>();
    for (GroupSnapshot g : groups) {
      for (GroupMember m : g.getMembers()) {
        if (connected(m.getUser(), users)) {
          out.computeIfAbsent(Integer.parseInt(m.getUser().substring(5)), u -> g.getMembers().stream()
              .map(GroupMember::getUser).filter(other -> !other.equals(m.getUser())).limit(FOLLOWS_PER_USER).toList());
        }
      }
    }
    return out;
  }

  /**
   * Waits until the persister has stored the synthetic sessions (its sessions group has committed the topic's end), as
   * a running cluster's persister has: the gateway's figures are not taken beside a persister catching up.
   */
  private static void awaitSessionsStored(String bootstrap) throws Exception {
    long t0 = System.nanoTime();
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", bootstrap);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
      String topic = "weft.sessions";
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
      for (int i = 0; i < partitions; i++) {
        latest.put(new org.apache.kafka.common.TopicPartition(topic, i), org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      Map<org.apache.kafka.common.TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      long total = ends.values().stream().mapToLong(Long::longValue).sum();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
      while (System.nanoTime() < deadline) {
        var committed = admin.listConsumerGroupOffsets("weft-persister.sessions").partitionsToOffsetAndMetadata().get();
        long behind = 0;
        for (var e : ends.entrySet()) {
          var c = committed.get(e.getKey());
          behind += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        if (behind == 0) {
          System.out.printf("weft scale: the persister stored the %d records of %s in %.1f s%n", total, topic,
              (System.nanoTime() - t0) / 1e9);
          return;
        }
        Thread.sleep(500);
      }
      System.out.println("weft scale: the persister had not stored " + topic + " within 20 minutes; measuring anyway");
    }
  }

  static boolean connected(String user, int users) {
    if (!user.startsWith("user-")) {
      return false;
    }
    try {
      return Integer.parseInt(user.substring(5)) < users;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Connects every user, a few hundred at a time, and returns once each has its welcome. */
  private static List<WebSocket> connect(WebSocketClient client, int port, Tokens tokens, int users,
      Map<String, Long> sentAt, List<Long> latencies) throws Exception {
    List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
    int step = 200;
    for (int from = 0; from < users; from += step) {
      List<Future<WebSocket>> opening = new ArrayList<>();
      for (int u = from; u < Math.min(users, from + step); u++) {
        String token = tokens.issue("user-" + u, Duration.ofHours(2));
        Future<WebSocket> f = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/v1/ws?device=scale").addHeader("Authorization", "Bearer " + token));
        opening.add(f.compose(ws -> {
          io.vertx.core.Promise<WebSocket> welcomed = io.vertx.core.Promise.promise();
          ws.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            String op = frame.getString("op");
            if ("welcome".equals(op)) {
              welcomed.tryComplete(ws);
            } else if ("msg".equals(op)) {
              Long at = sentAt.get(frame.getString("text", ""));
              if (at != null) {
                latencies.add(System.nanoTime() - at);
              }
            }
          });
          return welcomed.future();
        }));
      }
      for (Future<WebSocket> f : opening) {
        sockets.add(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
      }
    }
    return sockets;
  }

  /**
   * Sends group messages at {@code rate} a second, each from a connected member of a group with another connected
   * member, and times each from the send to its arrival at the other members' sockets.
   */
  private static RoutingLatency.Result latency(List<WebSocket> sockets, int users, List<GroupSnapshot> groups,
      int rate, Map<String, Long> sentAt, List<Long> latencies) {
    List<String[]> pairs = new ArrayList<>(); // conv, sender index
    for (GroupSnapshot g : groups) {
      List<Integer> here = new ArrayList<>();
      for (GroupMember m : g.getMembers()) {
        if (connected(m.getUser(), users)) {
          here.add(Integer.parseInt(m.getUser().substring(5)));
        }
      }
      if (here.size() >= 2) {
        pairs.add(new String[] {g.getConv(), String.valueOf(here.get(0))});
      }
    }
    if (pairs.isEmpty()) {
      return new RoutingLatency.Result(0, 0, Double.NaN, Double.NaN, Double.NaN);
    }
    Map<Integer, WebSocket> byUser = new HashMap<>();
    for (int i = 0; i < sockets.size(); i++) {
      byUser.put(i, sockets.get(i));
    }
    long warmupNanos = TimeUnit.SECONDS.toNanos(10);
    long windowNanos = TimeUnit.SECONDS.toNanos(20);
    long start = System.nanoTime();
    long interval = 1_000_000_000L / rate;
    java.util.Random random = new java.util.Random(7);
    int sent = 0;
    for (long next = start; next < start + warmupNanos + windowNanos; next += interval) {
      LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
      String[] pair = pairs.get(random.nextInt(pairs.size()));
      boolean counted = next >= start + warmupNanos;
      String text = (counted ? "counted-" : "warm-") + sent++;
      if (counted) {
        sentAt.put(text, System.nanoTime());
      }
      byUser.get(Integer.parseInt(pair[1])).writeTextMessage(new JsonObject().put("op", "send").put("ref", text)
          .put("conv", pair[0]).put("text", text).encode());
    }
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
    long[] sorted;
    synchronized (latencies) {
      sorted = latencies.stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
    }
    return new RoutingLatency.Result(sentAt.size(), sorted.length, percentile(sorted, 0.5), percentile(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static Map<String, String> services(String bootstrap) {
    Map<String, String> env = ChaosCluster.baseEnv();
    env.put("WEFT_KAFKA_BOOTSTRAP", bootstrap);
    env.put("WEFT_REPLICATION_FACTOR", "1");
    env.put("WEFT_JWT_SECRET", JWT_SECRET);
    env.put("WEFT_INTERNAL_SECRET", INTERNAL);
    return env;
  }

  private static Proc start(List<Proc> procs, String name, List<String> command, Map<String, String> env, Path log,
      String ready) throws IOException {
    Proc p = Proc.start(name, command, env, log, ready);
    procs.add(p);
    return p;
  }

  private static long heapKb(long pid) throws IOException, InterruptedException {
    ScaleRouters.jcmd(pid, "GC.run");
    Matcher m = USED.matcher(ScaleRouters.jcmd(pid, "GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String metrics(int port) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
