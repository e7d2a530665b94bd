package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * What a membership lookup may cost: how long a group lookup that misses waits, how long an id still unknown after
 * that is refused at once, and how many lookups one connection may have waiting.
 *
 * @param maxPending WEFT_MAX_PENDING_LOOKUPS: membership lookups one connection may have waiting, counting the frames
 *     queued behind them to keep its sends in order (default 32); a frame over it gets {@code too_many_pending}
 * @param waitMs WEFT_GROUP_LOOKUP_WAIT_MS: how long a lookup of a group this gateway does not know (or does not know
 *     the user in) waits for the router's snapshot before the answer is {@code not_member} (default 3000): a group
 *     created or a member added a moment ago is then not refused
 * @param unknownTtlMs WEFT_UNKNOWN_GROUPS_TTL_MS: a group id still unknown after that wait is answered
 *     {@code not_member} at once for this long, unless its snapshot arrives (default 30000)
 * @param unknownMax WEFT_UNKNOWN_GROUPS_MAX: most such ids remembered; the oldest is forgotten first (default 10000)
 */
public record LookupSettings(int maxPending, int waitMs, int unknownTtlMs, int unknownMax) {

  static LookupSettings from(Env env) {
    return new LookupSettings(
        env.integer("WEFT_MAX_PENDING_LOOKUPS", 32, 1, 100_000),
        env.integer("WEFT_GROUP_LOOKUP_WAIT_MS", 3_000, 0, 60_000),
        env.integer("WEFT_UNKNOWN_GROUPS_TTL_MS", 30_000, 1, 3_600_000),
        env.integer("WEFT_UNKNOWN_GROUPS_MAX", 10_000, 1, 10_000_000));
  }
}
