package dev.weft.common;

import java.util.regex.Pattern;

/**
 * The names of Weft's topics, all under one prefix (tests give each run its own).
 *
 * @param inbound every message a gateway accepted, keyed by conversation
 * @param sessions compacted: who is connected to which gateway, keyed by session id
 * @param deliveryPrefix one topic per gateway, {@code <prefix><gateway id>}, carrying what that gateway must push
 * @param gateways compacted: each gateway's heartbeat, keyed by gateway id
 * @param receipts delivered/read positions, keyed by conversation
 * @param groups compacted: each group's membership, keyed by conversation
 * @param typing typing indicators, keyed by conversation; ephemeral
 * @param metadata one body-free record per message, receipt and membership change, keyed by conversation: for analytics
 * @param deadLetters records a service could never process, as they were read, with headers saying where from and why
 * @param push messages their recipients may not have seen, keyed by recipient: for an app's push worker
 * @param control compacted: the server API's orders about users' sockets and tokens, read whole by every gateway
 */
public record Topics(String inbound, String sessions, String deliveryPrefix, String gateways, String receipts,
    String groups, String typing, String metadata, String deadLetters, String push, String control) {

  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");

  public static Topics withPrefix(String prefix) {
    if (!LEGAL.matcher(prefix).matches() || prefix.length() > 100) {
      throw new ConfigException("WEFT_TOPIC_PREFIX=" + prefix + " may hold only letters, digits, '.', '_' and '-' (at most 100)");
    }
    return new Topics(prefix + "inbound", prefix + "sessions", prefix + "deliver.", prefix + "gateways", prefix + "receipts",
        prefix + "groups", prefix + "typing", prefix + "metadata", prefix + "deadletter", prefix + "push",
        prefix + "control");
  }

  public String deliveries(String gatewayId) {
    return deliveryPrefix + gatewayId;
  }
}
