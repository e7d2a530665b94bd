package dev.weft.bench;

import dev.weft.common.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The measuring core of {@code ./weft bench}: runs the sequence against each target it is given and writes the
 * report. It starts no server; {@link BenchMain} does, and a test hands it servers of its own.
 */
public final class Bench implements AutoCloseable {

  private final BenchConfig config;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final Tokens tokens;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final Instant startedAt = Instant.now();
  private final Map<String, TargetResult> results = new LinkedHashMap<>();

  public Bench(BenchConfig config) {
    this.config = config;
    // Ping frames are answered by Vert.x itself, so sockets held idle stay alive past the gateway's idle timeout.
    this.vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(10_000));
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        // The default pool allows a few connections per server; every user here is one.
        .setMaxConnections(Integer.MAX_VALUE).setConnectTimeout(30_000));
    this.tokens = new Tokens(config.jwt(), Clock.systemUTC());
  }

  /** Runs the whole sequence against {@code target}; its result goes into the report under its name. */
  public void measure(Target target) throws Exception {
    results.put(target.name(), new TargetRun(config, client, tokens, target, runId).run());
  }

  /** Writes bench.json and bench.md to the configured directory and returns the markdown. */
  public String writeReport() throws Exception {
    TargetResult weft = results.get(Target.WEFT);
    if (weft == null) {
      throw new IllegalStateException("nothing measured under the name " + Target.WEFT);
    }
    BenchReport report = new BenchReport(config, startedAt, weft, results.get(Target.BASELINE));
    report.write(config.outDir());
    return report.markdown();
  }

  public Path outDir() {
    return config.outDir();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
