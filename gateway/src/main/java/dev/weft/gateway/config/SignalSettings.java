package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * Typing indicators and presence.
 *
 * @param typingRate WEFT_TYPING_RATE: typing frames per second one connection may send (default 2)
 * @param typingBurst WEFT_TYPING_BURST: typing frames one connection may send at once above the rate (default 5)
 * @param typingTtlMs WEFT_TYPING_TTL_MS: how long a "started" indicator holds unless renewed (default 6000)
 * @param presenceMaxSubscriptions WEFT_PRESENCE_MAX_SUBSCRIPTIONS: users one connection may follow the presence of
 *     (default 200)
 * @param presencePolicy WEFT_PRESENCE_POLICY: {@code shared} (default) lets a user follow only the presence of users
 *     who share a conversation with them; {@code everyone} lets anyone follow anyone (see {@link PresencePolicy})
 */
public record SignalSettings(int typingRate, int typingBurst, int typingTtlMs, int presenceMaxSubscriptions,
    PresencePolicy presencePolicy) {

  static SignalSettings from(Env env) {
    return new SignalSettings(
        env.integer("WEFT_TYPING_RATE", 2, 1, 1000),
        env.integer("WEFT_TYPING_BURST", 5, 1, 1000),
        env.integer("WEFT_TYPING_TTL_MS", 6_000, 1_000, 60_000),
        env.integer("WEFT_PRESENCE_MAX_SUBSCRIPTIONS", 200, 1, 100_000),
        PresencePolicy.from(env));
  }
}
