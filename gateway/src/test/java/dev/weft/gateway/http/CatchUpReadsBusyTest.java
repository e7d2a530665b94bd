package dev.weft.gateway.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A persister's 503 {@code busy} reaches the catch-up as {@link CatchUpReads.Busy}, which closes the socket with 1013. */
class CatchUpReadsBusyTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private CatchUpReads against(int status, String code) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(status)
        .end(new JsonObject().put("code", code).put("message", "m").encode()))
        .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new CatchUpReads(new PersisterClient(WebClient.create(vertx), "http://127.0.0.1:" + server.actualPort(),
        dev.weft.common.InternalSecret.from(new dev.weft.common.Env(java.util.Map.of("WEFT_DEV", "1")))));
  }

  private static Throwable failure(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void busyIsItsOwnFailure() throws Exception {
    assertInstanceOf(CatchUpReads.Busy.class, failure(against(503, "busy").page("alice", new long[] {0}, 10, null)));
    assertInstanceOf(CatchUpReads.Busy.class, failure(against(503, "busy").recent("alice", 1, 1)));
  }

  @Test
  void otherRefusalsAreNot() throws Exception {
    assertFalse(failure(against(503, "unavailable").page("alice", new long[] {0}, 10, null)) instanceof CatchUpReads.Busy);
    assertFalse(failure(against(500, "busy").page("alice", new long[] {0}, 10, null)) instanceof CatchUpReads.Busy);
  }
}
