package dev.weft.gateway.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** JSON error bodies: {"code": "...", "message": "..."}, the same codes as the WebSocket errors where they overlap. */
public final class HttpErrors {

  private HttpErrors() {}

  public static void send(HttpServerResponse response, int status, String code, String message) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", code).put("message", message).encode());
  }
}
