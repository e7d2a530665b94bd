package dev.weft.common.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A service's ops port: {@code /metrics}, {@code /health/live} and {@code /health/ready}, apart from the port clients
 * or other services call, so a NetworkPolicy can open it to Prometheus and the kubelet alone (every service has one;
 * docs/operations.md lists the ports). The JDK's server on a few small threads: probes and scrapes are rare and cheap,
 * and a readiness check may block here (the persister asks its database), never on an event loop.
 */
public final class OpsServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads;

  private OpsServer(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /** What {@code /health/ready} answers: 200 when up, else 503, with the details beside {@code status}. */
  public record Readiness(boolean up, Map<String, ?> details) {}

  public static OpsServer start(int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    return start(port, registry, () -> new Readiness(ready.getAsBoolean(), Map.of()));
  }

  /** Listens on {@code port} (0: any free one, see {@link #port()}). */
  public static OpsServer start(int port, PrometheusMeterRegistry registry, Supplier<Readiness> ready) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
      server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      server.createContext("/health/live", ex -> reply(ex, 200, "application/json", "{\"status\":\"UP\"}"));
      server.createContext("/health/ready", ex -> {
        Readiness r;
        try {
          r = ready.get();
        } catch (RuntimeException e) {
          r = new Readiness(false, Map.of());
        }
        reply(ex, r.up() ? 200 : 503, "application/json", json(r));
      });
      // A few threads: a readiness check that waits on a database must not hold up a liveness probe behind it.
      ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "weft-ops-http");
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(threads);
      server.start();
      return new OpsServer(server, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " for metrics and probes", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static String json(Readiness r) {
    StringBuilder out = new StringBuilder("{\"status\":\"").append(r.up() ? "UP" : "DOWN").append('"');
    // Details are booleans and numbers set by the service itself, never client text: no escaping needed.
    r.details().forEach((k, v) -> out.append(",\"").append(k).append("\":").append(v));
    return out.append('}').toString();
  }

  private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
