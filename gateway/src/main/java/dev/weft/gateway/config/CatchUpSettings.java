package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * How a connection that presents a cursor is caught up.
 *
 * @param pageSize WEFT_CATCHUP_PAGE: messages read from history per request while catching up (default 500;
 *     the persister caps it at its WEFT_HISTORY_MAX_LIMIT)
 * @param newDeviceMessages WEFT_NEW_DEVICE_MESSAGES: a brand-new device ({@code cursor=new}) gets this many of the
 *     latest messages of each conversation (default 20; 0 = none)
 * @param newDeviceConversations WEFT_NEW_DEVICE_CONVERSATIONS: ... of this many of the user's most recently active
 *     conversations (default 50)
 */
public record CatchUpSettings(int pageSize, int newDeviceMessages, int newDeviceConversations) {

  static CatchUpSettings from(Env env) {
    return new CatchUpSettings(
        env.integer("WEFT_CATCHUP_PAGE", 500, 1, 10_000),
        env.integer("WEFT_NEW_DEVICE_MESSAGES", 20, 0, 500),
        env.integer("WEFT_NEW_DEVICE_CONVERSATIONS", 50, 0, 1_000));
  }
}
