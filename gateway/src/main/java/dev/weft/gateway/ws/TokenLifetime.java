package dev.weft.gateway.ws;

import dev.weft.common.Tokens;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;

/**
 * An open socket lives no longer than its token: it is closed with {@value #CLOSE_TOKEN_EXPIRED} when the token's
 * {@code exp} passes, unless the client sent a {@code refresh} frame with a newer token for the same user first.
 * Everything here runs on the connection's event loop.
 */
final class TokenLifetime {

  /** Close code of a socket whose token expired; docs/protocol.md, "Close codes". */
  static final short CLOSE_TOKEN_EXPIRED = 4001;

  private final Tokens tokens;
  private final Clock clock;

  TokenLifetime(Tokens tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  /** (Re)arms the connection's timer for {@code expiresAt}. */
  void arm(Connection c, Instant expiresAt) {
    disarm(c);
    long delay = Math.max(1, expiresAt.toEpochMilli() - clock.millis());
    c.tokenTimer = c.context.owner().setTimer(delay, id -> {
      c.tokenTimer = -1;
      c.closeReason = "token_expired";
      c.socket.close(CLOSE_TOKEN_EXPIRED, "token_expired: connect again with a new token");
    });
  }

  void disarm(Connection c) {
    if (c.tokenTimer >= 0) {
      c.context.owner().cancelTimer(c.tokenTimer);
      c.tokenTimer = -1;
    }
  }

  /**
   * {@code {"op":"refresh","ref":…,"token":…}}: a valid token for the same user moves the socket's deadline to its
   * {@code exp}, answered with {@code refreshed}; anything else is an error and the old deadline stands.
   */
  void refresh(Connection c, JsonObject frame, String ref) {
    Object token = frame.getValue("token");
    if (!(token instanceof String t) || t.isEmpty()) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "token is missing or not a string"));
      return;
    }
    Tokens.Verified who = tokens.verify(t);
    if (!who.ok()) {
      c.write(Frames.error(ref, "token_expired".equals(who.code()) ? ErrorCode.TOKEN_EXPIRED
          : "token_revoked".equals(who.code()) ? ErrorCode.TOKEN_REVOKED : ErrorCode.INVALID_TOKEN, who.message()));
      return;
    }
    if (!who.user().equals(c.user)) {
      c.write(Frames.error(ref, ErrorCode.INVALID_TOKEN, "the new token is for another user; a socket keeps its user"));
      return;
    }
    arm(c, who.expiresAt());
    c.issuedAt = who.issuedAt();
    c.write(Frames.refreshed(ref, who.expiresAt().toEpochMilli()));
  }
}
