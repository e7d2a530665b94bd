package dev.weft.loadgen;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.JwtSettings;
import java.util.Arrays;
import java.util.List;

/**
 * What a load run does.
 *
 * @param gateways WEFT_LOAD_GATEWAYS: comma-separated host:port of gateways (default localhost:8080); pairs are
 *     spread so that sender and receiver sit on different gateways when there are several
 * @param pairs WEFT_LOAD_PAIRS: sender/receiver pairs, each two connections and one conversation (default 50)
 * @param ratePerSecond WEFT_LOAD_RATE: messages per second over all pairs (default 1000)
 * @param seconds WEFT_LOAD_SECONDS: how long to send (default 10)
 * @param textBytes WEFT_LOAD_TEXT_BYTES: size of each message text (default 100)
 * @param catchUpMessages WEFT_LOAD_CATCHUP_MESSAGES: after the live run, receivers disconnect, this many more
 *     messages are sent (spread over the pairs), and receivers reconnect with their cursors: the report then times
 *     the catch-up (default 0 = no catch-up phase)
 * @param jwt the secret tokens are signed with (WEFT_JWT_SECRET, or the dev secret under WEFT_DEV=1)
 */
public record LoadConfig(List<String> gateways, int pairs, int ratePerSecond, int seconds, int textBytes, int catchUpMessages,
    JwtSettings jwt) {

  public static LoadConfig from(Env env) {
    List<String> gateways = Arrays.stream(env.string("WEFT_LOAD_GATEWAYS", "localhost:8080").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String g : gateways) {
      if (!g.matches("[^:]+:\\d{1,5}")) {
        throw new ConfigException("WEFT_LOAD_GATEWAYS: '" + g + "' is not host:port");
      }
    }
    return new LoadConfig(gateways,
        env.integer("WEFT_LOAD_PAIRS", 50, 1, 100_000),
        env.integer("WEFT_LOAD_RATE", 1000, 1, 10_000_000),
        env.integer("WEFT_LOAD_SECONDS", 10, 1, 86_400),
        env.integer("WEFT_LOAD_TEXT_BYTES", 100, 16, 1_000_000),
        env.integer("WEFT_LOAD_CATCHUP_MESSAGES", 0, 0, 10_000_000),
        JwtSettings.from(env));
  }
}
