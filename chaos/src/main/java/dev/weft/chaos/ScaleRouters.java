package dev.weft.chaos;

import dev.weft.common.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routers as processes for the scale run: started at once, ready when every inbound partition is routed by one of
 * them (assigned, its groups loaded, as each router's {@code weft_router_partitions} gauge says), then measured one by
 * one: heap in use after a full collection ({@code jcmd GC.run}, then {@code GC.heap_info}), partitions routed and
 * groups held.
 */
final class ScaleRouters implements AutoCloseable {

  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One router's figures. */
  record Figure(long heapKb, int partitions, long groups) {}

  private final List<Proc> procs = new ArrayList<>();
  private final List<Integer> opsPorts = new ArrayList<>();
  private final long startedNanos = System.nanoTime();

  private ScaleRouters() {}

  /** Starts {@code count} routers and returns once each has loaded its session table (printed that it routes). */
  static ScaleRouters start(Path root, Path out, String bootstrap, int count, String phase) throws IOException {
    ScaleRouters routers = new ScaleRouters();
    try {
      List<Path> logs = new ArrayList<>();
      for (int r = 0; r < count; r++) {
        int ops = FreePorts.pick();
        Map<String, String> env = ChaosCluster.baseEnv();
        env.put("WEFT_KAFKA_BOOTSTRAP", bootstrap);
        env.put("WEFT_REPLICATION_FACTOR", "1"); // one broker: what is measured is the router, not replication
        env.put("WEFT_ROUTER_ID", "scale-" + phase + "-" + count + "-" + r);
        env.put("WEFT_ROUTER_HTTP_PORT", String.valueOf(ops));
        env.put("WEFT_ROUTER_START_TIMEOUT_MS", "1800000");
        // The synthetic gateways send no heartbeats: a router must not take them for dead while it is measured.
        env.put("WEFT_GATEWAY_EXPIRY_MS", "86400000");
        Path log = out.resolve("logs").resolve("router-" + phase + "-" + count + "-" + r + ".log");
        logs.add(log);
        routers.opsPorts.add(ops);
        routers.procs.add(Proc.start("router", ScaleMain.java(root, "router", "dev.weft.router.RouterMain", List.of()),
            env, log, "Weft router"));
      }
      for (int r = 0; r < count; r++) {
        routers.procs.get(r).awaitReady(1800, logs.get(r));
      }
      return routers;
    } catch (IOException | RuntimeException e) {
      routers.close();
      throw e;
    }
  }

  /**
   * Waits until the routers between them route all {@code partitions} inbound partitions, each router some, none
   * loading; returns the seconds from their start to then.
   */
  double awaitRouting(int partitions, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int routing = 0;
      int loading = 0;
      int idle = 0;
      for (int port : opsPorts) {
        String metrics = metrics(port);
        int mine = (int) gauge(metrics, "weft_router_partitions", "state=\"routing\"");
        routing += mine;
        idle += mine == 0 ? 1 : 0;
        loading += (int) gauge(metrics, "weft_router_partitions", "state=\"loading\"");
      }
      // Every router has its share, not just all partitions routed: one that had not joined yet would measure empty.
      if (routing == partitions && loading == 0 && (idle == 0 || opsPorts.size() > partitions)) {
        return (System.nanoTime() - startedNanos) / 1e9;
      }
      Thread.sleep(200);
    }
    throw new IOException("the routers did not route all " + partitions + " partitions within " + timeout);
  }

  /** Each router's figures, after a full collection. */
  List<Figure> measure() throws IOException, InterruptedException {
    List<Figure> figures = new ArrayList<>();
    for (int r = 0; r < procs.size(); r++) {
      long pid = procs.get(r).pid();
      jcmd(pid, "GC.run");
      Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
      String metrics = metrics(opsPorts.get(r));
      figures.add(new Figure(m.find() ? Long.parseLong(m.group(1)) : 0,
          (int) gauge(metrics, "weft_router_partitions", "state=\"routing\""), (long) gauge(metrics, "weft_router_groups", "")));
    }
    return figures;
  }

  private static String metrics(int port) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of the first sample of {@code name} whose labels contain {@code label}; 0 when there is none. */
  static double gauge(String metrics, String name, String label) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return text;
  }

  @Override
  public void close() {
    procs.forEach(Proc::stop);
  }
}
