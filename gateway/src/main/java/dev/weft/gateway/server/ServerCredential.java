package dev.weft.gateway.server;

import dev.weft.gateway.http.HttpErrors;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The server API's door: {@code Authorization: Bearer <key>} with one of WEFT_SERVER_API_KEYS, or 401. Keys are
 * compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken says nothing about a key. A user's
 * token is not a server credential: it is refused like any other wrong key.
 */
final class ServerCredential implements Handler<RoutingContext> {

  private final List<byte[]> digests;

  ServerCredential(List<String> keys) {
    this.digests = keys.stream().map(ServerCredential::sha256).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    if (presented == null || presented.isEmpty()) {
      unauthorized(ctx, "no server credential: send Authorization: Bearer <one of WEFT_SERVER_API_KEYS>");
      return;
    }
    byte[] digest = sha256(presented);
    boolean known = false;
    for (byte[] d : digests) {
      known |= MessageDigest.isEqual(d, digest); // every key compared, whichever matches
    }
    if (!known) {
      unauthorized(ctx, "the server credential is not one of WEFT_SERVER_API_KEYS");
      return;
    }
    ctx.next();
  }

  private static void unauthorized(RoutingContext ctx, String message) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"weft-server-api\"");
    HttpErrors.send(ctx.response(), 401, "unauthorized", message);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
