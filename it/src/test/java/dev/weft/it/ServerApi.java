package dev.weft.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A backend's calls to a gateway's server API, over real HTTP; every answer is checked against the operation's
 * responses in docs/server-api.yaml (Vert.x OpenAPI's validator), so the file and the routes cannot drift apart.
 */
final class ServerApi implements AutoCloseable {

  static final String KEY = "a-server-api-key-for-the-tests-0123456789";

  /** A status and its JSON body. */
  record Answer(int status, JsonObject body) {
    String code() {
      return body.getString("code");
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final Vertx vertx = Vertx.vertx();
  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final int port;

  ServerApi(int port) {
    this.port = port;
    try {
      contract = OpenAPIContract.from(vertx, contractPath().toString()).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("docs/server-api.yaml is not a valid OpenAPI contract: " + e, e);
    }
    validator = ResponseValidator.create(vertx, contract);
  }

  static Path contractPath() {
    Path fromModule = Path.of("..", "docs", "server-api.yaml");
    return Files.exists(fromModule) ? fromModule : Path.of("docs", "server-api.yaml");
  }

  OpenAPIContract contract() {
    return contract;
  }

  /** A call with the test's key, its answer checked against {@code operationId}'s documented responses. */
  Answer call(String operationId, String method, String path, String body) {
    Answer a = raw(method, path, body, "Bearer " + KEY);
    validate(operationId, a);
    return a;
  }

  Answer post(String operationId, String path, JsonObject body) {
    return call(operationId, "POST", path, body == null ? null : body.encode());
  }

  Answer get(String operationId, String path) {
    return call(operationId, "GET", path, null);
  }

  /** A call with any Authorization header (null: none), unchecked. */
  Answer raw(String method, String path, String body, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void validate(String operationId, Answer a) {
    try {
      validator.validate(ValidatableResponse.create(a.status(), Buffer.buffer(a.body().encode()), "application/json"),
          operationId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(operationId + " answered " + a.status() + " " + a.body().encode()
          + ", which docs/server-api.yaml does not describe: " + e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
