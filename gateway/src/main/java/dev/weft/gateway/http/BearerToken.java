package dev.weft.gateway.http;

import io.vertx.core.http.HttpServerRequest;

/** Where a client puts its token: the Authorization header, or access_token in the query (browsers cannot set headers on a WebSocket). */
public final class BearerToken {

  private BearerToken() {}

  public static String from(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return request.getParam("access_token");
  }
}
