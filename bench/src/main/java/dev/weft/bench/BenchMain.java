package dev.weft.bench;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Stream;

/**
 * {@code ./weft bench}: starts a Weft ({@code ./weft dev} as a child JVM, on free ports and a fresh data directory, so
 * it never meets a developer's Weft), measures it, stops it; then does the same with the in-memory relay; then writes
 * the report and prints its table. Whatever fails, every child is stopped.
 */
public final class BenchMain {

  private static final String WEFT_READY = "Weft is running";
  private static final ConcurrentLinkedDeque<ChildProcess> running = new ConcurrentLinkedDeque<>();

  private BenchMain() {}

  public static void main(String[] args) {
    Map<String, String> vars = new HashMap<>(System.getenv());
    // The Weft the bench starts runs on the dev secret; a running Weft named by WEFT_BENCH_GATEWAY may set its own.
    vars.putIfAbsent("WEFT_DEV", "1");
    BenchConfig config;
    try {
      config = BenchConfig.from(new Env(vars));
    } catch (ConfigException e) {
      System.err.println("weft bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    // Ctrl-C, or the JVM ending any other way: no server is left behind.
    Runtime.getRuntime().addShutdownHook(new Thread(BenchMain::stopAll, "weft-bench-shutdown"));
    int code = 0;
    try (Bench bench = new Bench(config)) {
      measureWeft(bench, config);
      if (config.baseline()) {
        measureRelay(bench, config);
      }
      String md = bench.writeReport();
      System.out.println();
      System.out.println(md);
      System.out.println("weft bench: wrote " + config.outDir().resolve("bench.json") + " and bench.md");
    } catch (Exception e) {
      System.err.println("weft bench failed: " + e);
      e.printStackTrace();
      code = 1;
    } finally {
      stopAll();
    }
    System.exit(code);
  }

  private static void measureWeft(Bench bench, BenchConfig config) throws Exception {
    if (config.gateway().isPresent()) {
      String hostPort = config.gateway().get();
      int colon = hostPort.lastIndexOf(':');
      List<Long> given = config.pids();
      bench.measure(new Target(Target.WEFT, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)),
          () -> withDescendants(given)));
      return;
    }
    Path dataDir = Files.createTempDirectory("weft-bench-dev-");
    int httpPort = FreePorts.pick();
    Map<String, String> env = new HashMap<>();
    env.put("WEFT_DEV", "1");
    env.put("WEFT_DEV_DATA_DIR", dataDir.toString());
    env.put("WEFT_DEV_KAFKA_PORT", String.valueOf(FreePorts.pick()));
    env.put("WEFT_DEV_DB_PORT", String.valueOf(FreePorts.pick()));
    env.put("WEFT_HTTP_PORT", String.valueOf(httpPort));
    env.put("WEFT_PERSISTER_HTTP_PORT", "0");
    env.put("WEFT_ROUTER_HTTP_PORT", "0");
    // Beside a developer's ./weft dev: the ops ports too.
    env.put("WEFT_GATEWAY_OPS_PORT", "0");
    env.put("WEFT_SERVER_API_PORT", "0");
    env.put("WEFT_PERSISTER_OPS_PORT", "0");
    System.out.println("weft bench: starting Weft (./weft dev) on port " + httpPort + ", data in " + dataDir);
    ChildProcess weft = start("weft-dev", ChildProcess.java(moduleClasspath("dev"), "dev.weft.dev.DevMain", List.of()),
        env, config.outDir().resolve("weft-dev.log"), WEFT_READY, 300);
    try {
      bench.measure(new Target(Target.WEFT, "127.0.0.1", httpPort, weft::pids));
    } finally {
      stop(weft);
      deleteTree(dataDir);
    }
  }

  private static void measureRelay(Bench bench, BenchConfig config) throws Exception {
    int port = FreePorts.pick();
    Map<String, String> env = Map.of("WEFT_DEV", "1", "WEFT_RELAY_PORT", String.valueOf(port));
    System.out.println("weft bench: starting the in-memory relay on port " + port);
    ChildProcess relay = start("relay",
        ChildProcess.java(System.getProperty("java.class.path"), RelayMain.class.getName(), List.of()),
        env, config.outDir().resolve("relay.log"), RelayMain.READY, 60);
    try {
      bench.measure(new Target(Target.BASELINE, "127.0.0.1", port, relay::pids));
    } finally {
      stop(relay);
    }
  }

  /** The runtime classpath the launcher uses for a module: its classes and target/classpath.txt (built by package). */
  private static String moduleClasspath(String module) throws IOException {
    Path file = Path.of(module, "target", "classpath.txt");
    if (!Files.isRegularFile(file)) {
      throw new IOException(file.toAbsolutePath() + " is missing: run the bench from the repository root through "
          + "./weft bench (or after ./mvnw -DskipTests package)");
    }
    return Path.of(module, "target", "classes").toAbsolutePath() + ":" + Files.readString(file).trim();
  }

  private static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log, String ready,
      long timeoutSeconds) throws IOException {
    ChildProcess child = ChildProcess.start(name, command, env, log, ready, timeoutSeconds);
    running.push(child);
    return child;
  }

  private static void stop(ChildProcess child) {
    if (running.remove(child)) {
      child.close();
    }
  }

  private static void stopAll() {
    ChildProcess child;
    while ((child = running.poll()) != null) {
      child.close();
    }
  }

  private static List<Long> withDescendants(List<Long> pids) {
    List<Long> all = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(h -> {
        all.add(h.pid());
        h.descendants().filter(ProcessHandle::isAlive).forEach(d -> all.add(d.pid()));
      });
    }
    return all;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("weft bench: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
