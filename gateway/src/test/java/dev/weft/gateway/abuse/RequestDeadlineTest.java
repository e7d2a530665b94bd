package dev.weft.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The deadline on a real Vert.x server and a raw TCP client. */
class RequestDeadlineTest {

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      HttpServer s;

      @Override
      public io.vertx.core.Future<?> start() {
        RequestDeadline deadline = new RequestDeadline(vertx, 300);
        Router router = Router.router(vertx);
        router.route().handler(deadline::requestArrived);
        router.get("/hello").handler(ctx -> ctx.end("hi"));
        s = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(false) /* as the gateway */).requestHandler(router).connectionHandler(deadline::connected);
        return s.listen(0).onSuccess(x -> server = x);
      }
    }).toCompletionStage().toCompletableFuture().thenApply(id -> server).get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Milliseconds until the server hung up, reading (and dropping) whatever it sent first. */
  private static long untilClosed(Socket s) throws Exception {
    long started = System.nanoTime();
    s.setSoTimeout(5_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain
      }
    } catch (SocketException reset) {
      // a reset is a hang-up too
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  @Test
  void halfARequestLineIsCutOffAtTheDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.getOutputStream().write("GET /hel".getBytes(StandardCharsets.US_ASCII));
      long ms = untilClosed(s);
      assertTrue(ms >= 200 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void aConnectionThatSendsNothingIsCutOffAtTheDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      long ms = untilClosed(s);
      assertTrue(ms >= 200 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long ms = untilClosed(s);
      assertTrue(ms >= 200 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void aRequestInTimeIsAnswered() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", answer.substring(0, 12), answer);
    }
  }
}
