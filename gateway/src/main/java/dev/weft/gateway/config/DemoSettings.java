package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * The demo chat page and the reference JavaScript client, served by the gateway for a newcomer's first minute.
 *
 * @param enabled WEFT_DEMO: serve {@code /client/demo/} and {@code /client/src/} (default: on under WEFT_DEV, off
 *     otherwise; a production gateway serves neither)
 * @param dir WEFT_DEMO_DIR: the client package's directory (default {@code clients/js}, relative to where the gateway
 *     runs: the repository root for {@code ./weft})
 * @param devTokens under WEFT_DEV only: {@code GET /dev/token?user=} mints a token for anyone; never in production
 */
public record DemoSettings(boolean enabled, String dir, boolean devTokens) {

  static DemoSettings from(Env env) {
    String flag = env.string("WEFT_DEMO", env.dev() ? "1" : "0");
    boolean enabled = flag.equals("1") || flag.equalsIgnoreCase("true");
    return new DemoSettings(enabled, env.string("WEFT_DEMO_DIR", "clients/js"), env.dev());
  }
}
