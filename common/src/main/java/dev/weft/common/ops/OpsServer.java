package dev.weft.common.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * {@code /metrics}, {@code /health/live} and {@code /health/ready} for a service that has no HTTP server of its own
 * (the router). The JDK's server on one small thread: probes and scrapes are rare and cheap.
 */
public final class OpsServer implements AutoCloseable {

  private final HttpServer server;

  private OpsServer(HttpServer server) {
    this.server = server;
  }

  public static OpsServer start(int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
      server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      server.createContext("/health/live", ex -> reply(ex, 200, "application/json", "{\"status\":\"UP\"}"));
      server.createContext("/health/ready", ex -> {
        boolean up = ready.getAsBoolean();
        reply(ex, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
      });
      server.setExecutor(Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-ops-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return new OpsServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " for metrics and probes", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
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
  }
}
