package dev.weft.chaos;

import dev.weft.common.Env;
import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * One fault run: start the cluster, connect the users, start the traffic, then for each fault inject it, leave it for
 * the quiet period, heal it (start the part again), and leave the traffic another quiet period before the next. Then
 * stop the traffic, let what is in flight settle, and read the ledger against MySQL.
 */
final class ChaosRun {

  private static final String INBOUND = "weft.inbound";

  private final ChaosConfig config;

  ChaosRun(ChaosConfig config) {
    this.config = config;
  }

  List<FaultResult> run() throws Exception {
    List<FaultResult> results = new ArrayList<>();
    int capacity = Math.multiplyExact(config.rate(), totalSeconds() + 300);
    Ledger ledger = new Ledger(capacity);
    Vertx vertx = Vertx.vertx();
    try (ChaosCluster cluster = new ChaosCluster(config)) {
      // Ctrl-C (or a build's timeout) must not leave eleven processes behind.
      Thread stopper = new Thread(cluster::close, "chaos-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      long t0 = System.nanoTime();
      log("starting 3 brokers, a controller, MariaDB, 2 persisters, 2 routers, 2 gateways (logs in "
          + config.outDir().resolve("logs") + ")");
      cluster.start();
      log("cluster ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(1 << 20).setMaxConnections(Integer.MAX_VALUE));
      List<ChaosUser> users = users(cluster, client, vertx, ledger);
      users.forEach(ChaosUser::connect);
      awaitWelcomed(users);
      log(users.size() + " users connected; traffic at " + config.rate() + " msgs/s");
      List<long[]> windows = new ArrayList<>();
      List<String[]> names = new ArrayList<>();
      try (Admin admin = admin(cluster); Traffic traffic = new Traffic(users, ledger, config.rate())) {
        traffic.start();
        // The first half of the warm time is JIT compilation and every conversation's first lookup: counted for losses
        // like every window, but not the baseline a fault's latency is compared with.
        long warm = System.nanoTime();
        sleep(config.warmSeconds() / 2);
        long baseline = System.nanoTime();
        windows.add(new long[] {warm, baseline, baseline});
        names.add(new String[] {"warm-up", "no fault: the processes' first seconds of traffic"});
        sleep(config.warmSeconds() - config.warmSeconds() / 2);
        long now = System.nanoTime();
        windows.add(new long[] {baseline, now, now});
        names.add(new String[] {"baseline", "no fault"});
        for (Fault fault : config.faults()) {
          long start = System.nanoTime();
          String detail = inject(fault, cluster, admin);
          log(fault.id + ": " + detail);
          long heal = heal(fault, cluster, admin, detail);
          sleep(config.quietSeconds());
          windows.add(new long[] {start, heal, System.nanoTime()});
          names.add(new String[] {fault.id, detail});
        }
        log("stopping traffic after " + traffic.sent() + " messages; settling");
      }
      settle(users, ledger);
      Set<String> stored = awaitStored(cluster, ledger);
      writeUndelivered(cluster, ledger);
      writeDuplicates(cluster, ledger, t0);
      for (int i = 0; i < windows.size(); i++) {
        long[] w = windows.get(i);
        results.add(FaultResult.of(names.get(i)[0], names.get(i)[1], w[0], w[1], w[2], ledger, stored,
            config.p99LimitMs()));
      }
      users.forEach(ChaosUser::stop);
      Runtime.getRuntime().removeShutdownHook(stopper);
      log("redelivered (absorbed by the client's dedupe by id): " + ledger.redelivered.sum()
          + "; delivered to the wrong user: " + ledger.misdelivered.sum());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return results;
  }

  /** Injects a fault; returns which part it hit. */
  private String inject(Fault fault, ChaosCluster c, Admin admin) throws Exception {
    return switch (fault) {
      case GATEWAY_KILL -> kill(c.busiestGateway());
      case ROUTER_KILL -> kill(c.routers.get(1));
      case PERSISTER_KILL -> kill(c.persisters.get(1));
      case LEADER_BROKER_KILL -> kill(c.broker(leader(admin, 0)));
      case BROKER_PAUSE -> {
        ChaosCluster.Part b = c.broker(leader(admin, 1));
        b.proc().pause();
        yield "SIGSTOP " + b.name() + " (leader of " + INBOUND + "-1)";
      }
      case DATABASE_KILL -> {
        boolean found = c.database.proc().killDescendant("mariadbd");
        c.database.proc().kill();
        yield "SIGKILL mariadbd" + (found ? "" : " (not found: its JVM only)");
      }
      case GATEWAY_DRAIN -> {
        ChaosCluster.Part g = c.busiestGateway();
        long t = System.nanoTime();
        boolean exited = g.proc().terminate(120);
        yield "SIGTERM " + g.name() + (exited ? ", drained and exited in " + (System.nanoTime() - t) / 1_000_000 + " ms"
            : ", still running after 120 s");
      }
      case ROUTER_AND_GATEWAY_KILL -> kill(c.routers.get(0)) + " and " + kill(c.busiestGateway());
    };
  }

  /** Leaves the fault in place for its time, then heals it; returns when the heal began. */
  private long heal(Fault fault, ChaosCluster c, Admin admin, String detail) throws Exception {
    sleep(fault == Fault.BROKER_PAUSE ? config.pauseSeconds() : config.quietSeconds());
    long heal = System.nanoTime();
    List<ChaosCluster.Part> dead = new ArrayList<>();
    for (ChaosCluster.Part p : all(c)) {
      if (p.proc() != null && !p.proc().alive()) {
        dead.add(p);
      }
    }
    if (fault == Fault.BROKER_PAUSE) {
      for (ChaosCluster.Part b : c.brokers) {
        if (detail.contains(b.name() + " ")) {
          b.proc().resume();
        }
      }
    }
    if (!dead.isEmpty()) {
      ChaosCluster.restartAll(dead);
      log("  restarted " + dead.stream().map(ChaosCluster.Part::name).toList() + " in "
          + (System.nanoTime() - heal) / 1_000_000 + " ms");
    }
    if (fault == Fault.LEADER_BROKER_KILL || fault == Fault.BROKER_PAUSE) {
      awaitFullIsr(admin);
    }
    return heal;
  }

  private static List<ChaosCluster.Part> all(ChaosCluster c) {
    List<ChaosCluster.Part> all = new ArrayList<>(c.brokers);
    all.add(c.database);
    all.addAll(c.persisters);
    all.addAll(c.routers);
    all.addAll(c.gateways);
    return all;
  }

  private static String kill(ChaosCluster.Part p) {
    p.proc().kill();
    return "SIGKILL " + p.name();
  }

  private static int leader(Admin admin, int partition) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(INBOUND)).allTopicNames().get(30, TimeUnit.SECONDS).get(INBOUND);
    return d.partitions().get(partition).leader().id();
  }

  /** Waits until every replica of the inbound topic is in sync again, so one fault does not run into the next. */
  private void awaitFullIsr(Admin admin) throws Exception {
    long t = System.nanoTime();
    long deadline = t + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      TopicDescription d = admin.describeTopics(List.of(INBOUND)).allTopicNames().get(30, TimeUnit.SECONDS).get(INBOUND);
      if (d.partitions().stream().allMatch(p -> p.isr().size() == p.replicas().size())) {
        log("  " + INBOUND + " fully in sync again after " + (System.nanoTime() - t) / 1_000_000 + " ms");
        return;
      }
      Thread.sleep(500);
    }
    log("  WARNING: " + INBOUND + " still under-replicated after 120 s");
  }

  private List<ChaosUser> users(ChaosCluster cluster, WebSocketClient client, Vertx vertx, Ledger ledger) {
    Tokens tokens = new Tokens(JwtSettings.from(new Env(Map.of("WEFT_JWT_SECRET", ChaosCluster.JWT_SECRET))),
        Clock.systemUTC());
    String[] names = new String[config.users()];
    for (int i = 0; i < names.length; i++) {
      names[i] = "chaos-u" + i;
    }
    String padding = "x".repeat(80);
    ChaosUser.ChaosUsers shared = new ChaosUser.ChaosUsers() {
      @Override public WebSocketClient client() { return client; }
      @Override public Vertx vertx() { return vertx; }
      @Override public int port() { return cluster.clientPort(); }
      @Override public String name(int user) { return names[user]; }
      @Override public String padding() { return padding; }
    };
    List<ChaosUser> users = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      users.add(new ChaosUser(i, names[i], tokens.issue(names[i], Duration.ofHours(1)), shared, ledger));
    }
    return users;
  }

  private void awaitWelcomed(List<ChaosUser> users) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (users.stream().anyMatch(u -> !u.welcomed())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(users.stream().filter(u -> !u.welcomed()).count()
            + " users got no welcome within 120 s");
      }
      Thread.sleep(100);
    }
  }

  /** Until every send is answered and every acked message delivered, or the settle time is up. */
  private void settle(List<ChaosUser> users, Ledger ledger) throws InterruptedException {
    long t = System.nanoTime();
    long deadline = t + TimeUnit.SECONDS.toNanos(config.settleSeconds());
    while (System.nanoTime() < deadline) {
      boolean answered = users.stream().allMatch(u -> u.unacked() == 0);
      if (answered && undelivered(ledger) == 0) {
        break;
      }
      Thread.sleep(200);
    }
    log("settled in " + (System.nanoTime() - t) / 1_000_000 + " ms: "
        + users.stream().mapToInt(ChaosUser::unacked).sum() + " sends unanswered, " + undelivered(ledger)
        + " acked messages not delivered");
  }

  private static int undelivered(Ledger ledger) {
    int n = 0;
    for (int i = 0; i < ledger.capacity; i++) {
      if (ledger.ackId.get(i) != null && ledger.deliveredId.get(i) == null) {
        n++;
      }
    }
    return n;
  }

  /** History, once it holds every acked message or the settle time is up. */
  private Set<String> awaitStored(ChaosCluster cluster, Ledger ledger) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.settleSeconds());
    Set<String> stored = Set.of();
    while (System.nanoTime() < deadline) {
      try {
        stored = StoredMessages.ids(cluster.jdbcUrl());
      } catch (java.sql.SQLException e) {
        log("  history not readable yet: " + e.getMessage().lines().findFirst().orElse(""));
      }
      int missing = 0;
      for (int i = 0; i < ledger.capacity; i++) {
        String id = ledger.ackId.get(i);
        if (id != null && !stored.contains(id)) {
          missing++;
        }
      }
      if (missing == 0) {
        break;
      }
      Thread.sleep(1_000);
    }
    return stored;
  }

  /**
   * undelivered.txt: each acked message its recipient never got, where history holds it, and the sender's and the
   * recipient's stories (resends, errors; welcomes, closes, catch-ups), so the cause can be traced.
   */
  private void writeUndelivered(ChaosCluster cluster, Ledger ledger) throws Exception {
    List<Integer> undelivered = new ArrayList<>();
    for (int n = 0; n < ledger.capacity && undelivered.size() < 200; n++) {
      if (ledger.ackId.get(n) != null && ledger.deliveredId.get(n) == null) {
        undelivered.add(n);
      }
    }
    if (undelivered.isEmpty()) {
      return;
    }
    Map<String, String> rows = StoredMessages.describe(cluster.jdbcUrl(), undelivered.stream().map(ledger.ackId::get).toList());
    StringBuilder b = new StringBuilder("Acked, never delivered to the recipient (clock: ms since the JVM's origin)\n");
    for (int n : undelivered) {
      b.append("m").append(n).append(" id ").append(ledger.ackId.get(n)).append(" sent at ")
          .append(ledger.sentNanos.get(n) / 1_000_000).append(" from user ").append(ledger.from[n]).append(" to user ")
          .append(ledger.to[n]).append('\n');
      b.append("  stored: ").append(rows.getOrDefault(ledger.ackId.get(n), "no")).append('\n');
      ledger.trace(n).forEach(t -> b.append("  sender: ").append(t).append('\n'));
      ledger.connections(ledger.to[n]).forEach(t -> b.append("  recipient: ").append(t).append('\n'));
    }
    writeTrace("undelivered.txt", b, undelivered.size() + " acked messages never delivered");
  }

  /**
   * duplicates.txt: for each message a client would show twice, both ids as history holds them and what its sender
   * saw (resends, errors, closes), so a duplicate can be traced to its cause.
   */
  private void writeDuplicates(ChaosCluster cluster, Ledger ledger, long t0) throws Exception {
    List<Integer> twice = new ArrayList<>();
    Set<String> ids = new java.util.HashSet<>();
    for (int n = 0; n < ledger.capacity && twice.size() < 200; n++) {
      if (ledger.shownTwice.get(n) == 1) {
        twice.add(n);
        ids.add(ledger.deliveredId.get(n));
        ids.add(ledger.secondId.get(n));
        if (ledger.ackId.get(n) != null) {
          ids.add(ledger.ackId.get(n));
        }
      }
    }
    if (twice.isEmpty()) {
      return;
    }
    Map<String, String> rows = StoredMessages.describe(cluster.jdbcUrl(), ids);
    StringBuilder b = new StringBuilder();
    for (int n : twice) {
      b.append("m").append(n).append(" sent at ").append((ledger.sentNanos.get(n) - t0) / 1_000_000)
          .append(" ms, user ").append(ledger.from[n]).append(" to ").append(ledger.to[n]).append('\n');
      for (String[] id : new String[][] {{"ack", ledger.ackId.get(n)}, {"first", ledger.deliveredId.get(n)},
          {"second", ledger.secondId.get(n)}}) {
        b.append("  ").append(id[0]).append(' ').append(id[1]).append(": ").append(rows.getOrDefault(id[1], "not stored"))
            .append('\n');
      }
      ledger.trace(n).forEach(t -> b.append("  ").append(t).append('\n'));
    }
    writeTrace("duplicates.txt", b, twice.size() + " messages shown twice");
  }

  private void writeTrace(String file, StringBuilder text, String what) throws java.io.IOException {
    java.nio.file.Files.createDirectories(config.outDir());
    java.nio.file.Files.writeString(config.outDir().resolve(file), text.toString());
    log("  " + what + ": see " + config.outDir().resolve(file));
  }

  private static Admin admin(ChaosCluster cluster) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return Admin.create(p);
  }

  private int totalSeconds() {
    int perFault = config.quietSeconds() * 2 + 30;
    int pause = config.faults().contains(Fault.BROKER_PAUSE) ? config.pauseSeconds() : 0;
    return config.warmSeconds() + config.faults().size() * perFault + pause;
  }

  private static void sleep(int seconds) throws InterruptedException {
    Thread.sleep(seconds * 1000L);
  }

  static void log(String line) {
    System.out.println(java.time.LocalTime.now().withNano(0) + " weft chaos: " + line);
  }
}
