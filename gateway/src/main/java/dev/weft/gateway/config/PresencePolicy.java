package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;

/** WEFT_PRESENCE_POLICY: whose presence a user may follow. */
public enum PresencePolicy {
  /** Only users who share a conversation with the follower: a common group, or a one-to-one with a stored message. */
  SHARED,
  /** Anyone's: the behaviour before issue 13, for deployments whose users all know one another. */
  EVERYONE;

  static PresencePolicy from(Env env) {
    String value = env.string("WEFT_PRESENCE_POLICY", "shared");
    return switch (value) {
      case "shared" -> SHARED;
      case "everyone" -> EVERYONE;
      default -> throw new ConfigException("WEFT_PRESENCE_POLICY=" + value + " must be shared or everyone");
    };
  }
}
