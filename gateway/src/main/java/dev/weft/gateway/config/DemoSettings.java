package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * The demo chat page and the reference JavaScript client, served by the gateway for a newcomer's first minute.
 *
 * @param enabled WEFT_DEMO: serve {@code /client/demo/} and {@code /client/src/} (default: on under WEFT_DEV, off
 *     otherwise; a production gateway serves neither)
 * @param dir WEFT_DEMO_DIR: the client package's directory (default {@code clients/js}, relative to where the gateway
 *     runs: the repository root for {@code ./weft})
 * @param devTokens {@code GET /dev/token?user=} mints a token for any user, to loopback callers only; served only under
 *     WEFT_DEV with the development secret in use, so a WEFT_DEV left on beside a real secret mints nothing real
 */
public record DemoSettings(boolean enabled, String dir, boolean devTokens) {

  static DemoSettings from(Env env, dev.weft.common.JwtSettings jwt) {
    String flag = env.string("WEFT_DEMO", env.dev() ? "1" : "0");
    boolean enabled = flag.equals("1") || flag.equalsIgnoreCase("true");
    boolean devSecret = dev.weft.common.DevDefaults.JWT_SECRET.equals(jwt.secret())
        && jwt.algorithms().contains(dev.weft.common.JwtSettings.Alg.HS256);
    return new DemoSettings(enabled, env.string("WEFT_DEMO_DIR", "clients/js"), env.dev() && devSecret);
  }
}
