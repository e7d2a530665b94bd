package dev.weft.gateway.ws;

/** The machine codes of {@code error} frames; docs/protocol.md lists each with what the client should do. */
enum ErrorCode {
  /** The frame is not a JSON object. */
  BAD_JSON("bad_json", false),
  /** The frame's {@code op} is not one this gateway knows. */
  UNKNOWN_OP("unknown_op", false),
  /** A field is missing, has the wrong type or an illegal value; the message names it. */
  BAD_REQUEST("bad_request", false),
  /** {@code text} is longer than the configured limit. */
  TEXT_TOO_LONG("text_too_long", false),
  /** {@code to} names the sender, or is not a valid user id. */
  BAD_RECIPIENT("bad_recipient", false),
  /** The conversation does not exist or the sender is not one of its members. */
  NOT_MEMBER("not_member", false),
  /** An edit, delete or reaction names no message of the conversation (or one deleted, or not a message). */
  NO_SUCH_MESSAGE("no_such_message", false),
  /** An edit of someone else's message, or a delete by a user who is neither its sender nor a group admin. */
  NOT_SENDER("not_sender", false),
  /** A one-to-one send between users one of whom blocks the other, or adding to a group someone who blocks you. */
  BLOCKED("blocked", false),
  /** A membership change only a group's admins may make. */
  NOT_ADMIN("not_admin", false),
  /** The group would have more members than its limit. */
  GROUP_TOO_LARGE("group_too_large", false),
  /**
   * A per-user quota on groups (created per hour, groups a user is in, members added per minute); the frame names it in
   * {@code quota}, and a rate's {@code retry_after_ms} says when the window ends. Nothing was published.
   */
  QUOTA_EXCEEDED("quota_exceeded", false),
  /** Following the presence of a user who shares no conversation with the follower; nothing was followed. */
  FORBIDDEN("forbidden", false),
  /** A connection would follow the presence of more users than allowed. */
  TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions", false),
  /** A binary frame: the protocol is JSON text frames only. */
  BINARY_NOT_SUPPORTED("binary_not_supported", false),
  /** A {@code refresh} frame's token is not valid, or is for another user; the socket keeps its old deadline. */
  INVALID_TOKEN("invalid_token", false),
  /** A {@code refresh} frame's token has already expired. */
  TOKEN_EXPIRED("token_expired", false),
  /** The token was revoked through the server API (issued before the user's revocation); get a new one. */
  TOKEN_REVOKED("token_revoked", false),
  /** The connection sends faster than its configured rate. */
  RATE_LIMITED("rate_limited", true),
  /** The connection has as many membership lookups waiting (and frames queued behind them) as it may. */
  TOO_MANY_PENDING("too_many_pending", true),
  /** The gateway has more writes queued for Kafka than it accepts. */
  OVERLOADED("overloaded", true),
  /** Kafka did not take the write; nothing was stored. */
  UNAVAILABLE("unavailable", true);

  final String code;
  final boolean retryable;

  ErrorCode(String code, boolean retryable) {
    this.code = code;
    this.retryable = retryable;
  }
}
