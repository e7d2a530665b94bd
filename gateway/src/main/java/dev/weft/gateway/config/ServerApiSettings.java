package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.DevDefaults;
import dev.weft.common.Env;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The server API: what an app's backend calls (docs/server-api.md), on a port of its own that is never behind the
 * public load balancer.
 *
 * @param port WEFT_SERVER_API_PORT: its port (default 8085; 0 = any free port)
 * @param keys WEFT_SERVER_API_KEYS: the server credentials it accepts, comma-separated (two while rotating), each at
 *     least {@value #MIN_KEY_BYTES} bytes; the backend sends one as {@code Authorization: Bearer <key>}. Unset: the
 *     server API is off (no port opened); under WEFT_DEV the development key. The development key is refused outside
 *     WEFT_DEV
 */
public record ServerApiSettings(int port, List<String> keys) {

  public static final int MIN_KEY_BYTES = 32;

  public ServerApiSettings {
    keys = List.copyOf(keys);
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  public ServerApiSettings withPort(int port) {
    return new ServerApiSettings(port, keys);
  }

  static ServerApiSettings from(Env env) {
    String value = env.raw("WEFT_SERVER_API_KEYS").orElse(env.dev() ? DevDefaults.SERVER_API_KEY : "");
    List<String> keys = Arrays.stream(value.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
    for (String key : keys) {
      if (key.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
        throw new ConfigException("WEFT_SERVER_API_KEYS holds a key shorter than " + MIN_KEY_BYTES + " bytes");
      }
      if (!env.dev() && key.equals(DevDefaults.SERVER_API_KEY)) {
        throw new ConfigException("WEFT_SERVER_API_KEYS holds the development key; set a real one (or WEFT_DEV=1)");
      }
    }
    return new ServerApiSettings(env.integer("WEFT_SERVER_API_PORT", DevDefaults.SERVER_API_PORT, 0, 65535), keys);
  }
}
