package dev.weft.bench;

import dev.weft.common.Tokens;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole sequence against one target: connect the users, a cold phase, warm phases, the ramp, then logins of
 * many more users held idle. The same sequence runs against Weft and against the relay, so their figures compare.
 */
final class TargetRun {

  private final BenchConfig config;
  private final WebSocketClient client;
  private final Tokens tokens;
  private final Target target;
  private final String runId;
  private int phaseNo;
  private final LateArrivals late = new LateArrivals();
  private Map<String, Double> idleCoresByProcess = Map.of();
  private List<Long> pidsAtStart = List.of();
  private final List<String> warnings = new ArrayList<>();

  TargetRun(BenchConfig config, WebSocketClient client, Tokens tokens, Target target, String runId) {
    this.config = config;
    this.client = client;
    this.tokens = tokens;
    this.target = target;
    this.runId = runId;
  }

  TargetResult run() throws Exception {
    pidsAtStart = target.serverPids().get();
    Logins logins = new Logins(client, target, tokens);
    String prefix = "bench-" + runId + "-" + target.name() + "-";
    log("connecting " + config.users() + " users");
    LoginMeasure connectMeasure = new LoginMeasure(false);
    Connected users = logins.run(prefix + "u", config.users(), config.loginsInFlight());
    users.listener().current = late;
    LoginResult connect = connectMeasure.finish("connect", users, config.loginsInFlight());
    log(connect.logins() + " logged in, " + Math.round(connect.perSecond()) + "/s");
    if (connect.failures() > 0) {
      users.close();
      throw new IllegalStateException(connect.failures() + " of " + config.users() + " users could not log in to "
          + target.name() + ": " + connect.firstFailure());
    }
    List<PhaseResult> phases = new ArrayList<>();
    int held = 0;
    String rampStop = null;
    try {
      phases.add(phase("cold", "cold", config.coldRate(), config.coldSeconds(), users));
      for (int rate : config.warmRates()) {
        PhaseResult warm = phase("warm " + rate, "warm", rate, config.warmSeconds(), users);
        phases.add(warm);
        // A warm phase held at least as long as a ramp step counts as held too: when the ramp's first step is already
        // too much, the figure is then the best rate measured rather than 0.
        if (warm.seconds() >= config.rampSeconds() && warm.failure(config.p99LimitMs()) == null) {
          held = Math.max(held, rate);
        }
      }
      for (int rate : config.rampRates()) {
        PhaseResult step = phase("ramp " + rate, "ramp", rate, config.rampSeconds(), users);
        phases.add(step);
        String failure = step.failure(config.p99LimitMs());
        if (failure != null) {
          rampStop = rate + " msgs/s: " + failure;
          break;
        }
        held = Math.max(held, rate);
      }
    } finally {
      awaitLateArrivals(phases);
      users.close();
    }
    // Let the server retract the closed sessions, then read what it burns with nothing to do: the floor under every
    // phase's CPU figure.
    Thread.sleep(2_000);
    double idleCores = idleCpuCores(5);
    log(String.format("no traffic: server CPU %.2f cores %s", idleCores, idleCoresByProcess));
    log("logging in " + config.idleConnections() + " users, " + config.loginsInFlight() + " at a time, then idle");
    checkServers("idle logins");
    LoginMeasure idleMeasure = new LoginMeasure(true);
    Connected idleUsers = logins.run(prefix + "i", config.idleConnections(), config.loginsInFlight());
    idleMeasure.loginsDone();
    LoginResult idle;
    try {
      // A few idle seconds for the login burst to settle into what a connection really holds.
      Thread.sleep(3_000);
      idle = idleMeasure.finish("idle", idleUsers, config.loginsInFlight());
    } finally {
      idleUsers.close();
    }
    log(idle.logins() + " logins at " + Math.round(idle.perSecond()) + "/s; "
        + String.format("%.1f KiB RSS, %.1f KiB heap per idle connection", idle.rssPerConnectionKb(),
        idle.heapPerConnectionKb()));
    return new TargetResult(target.name(), connect, phases, held, rampStop, idleCores, idleCoresByProcess, idle,
        target.serverPids().get(), late.snapshot(), List.copyOf(warnings));
  }

  private PhaseResult phase(String name, String kind, int rate, int seconds, Connected users) throws InterruptedException {
    checkServers(name);
    log(name + ": " + rate + " msgs/s for " + seconds + " s");
    PhaseResult r = new OpenLoopPhase(++phaseNo, name, kind, rate, seconds, users, config.textBytes(), late)
        .run(target.serverPids(), config.drainSeconds());
    log(String.format("%s: delivered %d of %d (lost %d, dup %d), p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
            + "server %.0f us/msg, bench CPU %.2f cores", name, r.delivered(), r.sent(), r.lost(), r.duplicates(),
        r.p50Ms(), r.p99Ms(), r.maxMs(), r.serverCpuMicrosPerMessage(), r.benchCpuCores()));
    return r;
  }

  private void log(String line) {
    System.out.println("weft bench [" + target.name() + "] " + line);
  }

  /**
   * A server process that went away mid-run (killed from outside, or crashed) would make every later figure
   * nonsense: the run stops when none is left, and the report warns when some are gone.
   */
  private void checkServers(String before) {
    if (pidsAtStart.isEmpty()) {
      return;
    }
    List<Long> now = target.serverPids().get();
    List<Long> gone = pidsAtStart.stream().filter(p -> !now.contains(p)).toList();
    if (now.isEmpty()) {
      throw new IllegalStateException(target.name() + ": every server process " + pidsAtStart + " is gone before "
          + before + "; see its log");
    }
    if (!gone.isEmpty()) {
      String w = "server process(es) " + gone + " gone before " + before + ": later figures are not comparable";
      if (warnings.stream().noneMatch(x -> x.startsWith("server process(es) " + gone))) {
        warnings.add(w);
        log("WARNING: " + w);
      }
    }
  }

  /**
   * Late arrivals are counted between and after phases, until the users disconnect: give what is still missing one
   * more drain period to show up, and none when nothing is.
   */
  private void awaitLateArrivals(List<PhaseResult> phases) throws InterruptedException {
    long until = System.nanoTime() + config.drainSeconds() * 1_000_000_000L;
    while (System.nanoTime() < until
        && phases.stream().anyMatch(p -> late.of(p.phaseNo()) < p.undelivered())) {
      Thread.sleep(50);
    }
  }

  private double idleCpuCores(int seconds) throws InterruptedException {
    List<Long> pids = target.serverPids().get();
    ProcStats.Usage before = ProcStats.of(pids);
    Map<String, Long> byProcess0 = ProcStats.ticksByProcess(pids);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double wall = (System.nanoTime() - start) / 1e9;
    ProcStats.Usage used = ProcStats.of(pids).minus(before);
    idleCoresByProcess = ProcStats.coresByProcess(byProcess0, ProcStats.ticksByProcess(pids), wall);
    return used.cpuMicros() / 1e6 / wall;
  }

  /**
   * Server and bench CPU from before a login burst to its last {@code welcome} ({@link #loginsDone}); server RSS and
   * heap from before it to {@link #finish}, which may come after an idle wait. With {@code afterFullGc}, both memory
   * readings follow a full collection of every server JVM (see {@link Jvms}), and the CPU readings exclude them.
   */
  private final class LoginMeasure {
    private final boolean afterFullGc;
    private final long rss0;
    private final long heap0;
    private final ProcStats.Usage server0;
    private final ProcStats.Usage bench0;
    private final long start;
    private ProcStats.Usage serverCpu;
    private ProcStats.Usage benchCpu;
    private double wall;

    LoginMeasure(boolean afterFullGc) {
      this.afterFullGc = afterFullGc;
      List<Long> pids = target.serverPids().get();
      if (afterFullGc) {
        Jvms.collect(pids);
      }
      rss0 = ProcStats.of(pids).rssKb();
      heap0 = afterFullGc ? Jvms.heapUsedKb(pids) : 0;
      server0 = ProcStats.of(pids);
      bench0 = ProcStats.self();
      start = System.nanoTime();
    }

    void loginsDone() {
      serverCpu = ProcStats.of(target.serverPids().get()).minus(server0);
      benchCpu = ProcStats.self().minus(bench0);
      wall = (System.nanoTime() - start) / 1e9;
    }

    LoginResult finish(String name, Connected c, int inFlight) {
      if (serverCpu == null) {
        loginsDone();
      }
      List<Long> pids = target.serverPids().get();
      if (afterFullGc) {
        Jvms.collect(pids);
      }
      long rss = ProcStats.of(pids).rssKb();
      long heap = afterFullGc ? Jvms.heapUsedKb(pids) : 0;
      long[] micros = c.loginMicros();
      int ok = micros.length;
      boolean memory = !pids.isEmpty() && ok > 0;
      return new LoginResult(name, c.count(), inFlight, ok, c.failures(), c.firstFailure(), c.seconds(),
          c.loginsPerSecond(), Samples.percentileMs(micros, 50), Samples.percentileMs(micros, 99),
          ok == 0 ? Double.NaN : micros[ok - 1] / 1000.0,
          ok == 0 ? Double.NaN : (double) serverCpu.cpuMicros() / ok,
          rss0, rss, memory ? (double) (rss - rss0) / ok : Double.NaN,
          heap0, heap, memory && afterFullGc ? (double) (heap - heap0) / ok : Double.NaN,
          benchCpu.cpuMicros() / 1e6 / wall);
    }
  }
}
