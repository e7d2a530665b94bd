package dev.weft.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void devModeFillsEveryUnsetSetting() {
    GatewayConfig c = GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1")));
    assertEquals("gw-1", c.gatewayId());
    assertEquals(8080, c.httpPort());
    assertEquals("localhost:9092", c.kafka().bootstrap());
    assertEquals(1, c.kafka().replicationFactor());
    assertEquals("http://127.0.0.1:8090", c.persisterUrl());
  }

  @Test
  void theServerApiIsOffWithoutKeysAndRefusesShortKeysAndTheDevelopmentKeyOutsideDevelopment() {
    Map<String, String> prod = Map.of("WEFT_GATEWAY_ID", "g", "WEFT_PERSISTER_URL", "http://p:8090",
        "WEFT_JWT_SECRET", SECRET, "WEFT_INTERNAL_SECRET", SECRET);
    assertFalse(GatewayConfig.from(new Env(prod)).serverApi().enabled());
    assertTrue(GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1"))).serverApi().enabled(), "the development key");
    assertEquals(8085, GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1"))).serverApi().port());
    java.util.HashMap<String, String> two = new java.util.HashMap<>(prod);
    two.put("WEFT_SERVER_API_KEYS", SECRET + "-old, " + SECRET + "-new");
    assertEquals(java.util.List.of(SECRET + "-old", SECRET + "-new"), GatewayConfig.from(new Env(two)).serverApi().keys());
    java.util.HashMap<String, String> shortKey = new java.util.HashMap<>(prod);
    shortKey.put("WEFT_SERVER_API_KEYS", "short");
    assertTrue(assertThrows(ConfigException.class, () -> GatewayConfig.from(new Env(shortKey))).getMessage()
        .contains("WEFT_SERVER_API_KEYS"));
    java.util.HashMap<String, String> devKey = new java.util.HashMap<>(prod);
    devKey.put("WEFT_SERVER_API_KEYS", dev.weft.common.DevDefaults.SERVER_API_KEY);
    assertThrows(ConfigException.class, () -> GatewayConfig.from(new Env(devKey)));
  }

  @Test
  void webSocketCompressionIsOffUnlessAskedFor() {
    assertFalse(GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1"))).webSocketCompression());
    assertTrue(GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_WS_COMPRESSION", "1"))).webSocketCompression());
    assertTrue(GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_WS_COMPRESSION", "1"))).withHttpPort(9).webSocketCompression());
  }

  @Test
  void withoutDevModeAMissingSecretOrPersisterStopsTheServiceNamingTheSetting() {
    ConfigException noSecret = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(new Env(Map.of("WEFT_GATEWAY_ID", "g", "WEFT_PERSISTER_URL", "http://p:8090"))));
    assertTrue(noSecret.getMessage().contains("WEFT_JWT_SECRET"), noSecret.getMessage());
    ConfigException noPersister = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(new Env(Map.of("WEFT_GATEWAY_ID", "g", "WEFT_JWT_SECRET", SECRET))));
    assertTrue(noPersister.getMessage().contains("WEFT_PERSISTER_URL"), noPersister.getMessage());
  }

  @Test
  void aWrongValueIsRefusedWithItsName() {
    Map<String, String> base = Map.of("WEFT_DEV", "1");
    for (var bad : Map.of(
        "WEFT_HTTP_PORT", "eighty",
        "WEFT_MAX_FRAME_BYTES", "10",
        "WEFT_GATEWAY_ID", "gw/1",
        "WEFT_PERSISTER_URL", "ftp://x",
        "WEFT_WS_COMPRESSION", "yes",
        "WEFT_TOPIC_PREFIX", "bad prefix").entrySet()) {
      var env = new java.util.HashMap<>(base);
      env.put(bad.getKey(), bad.getValue());
      ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.from(new Env(env)), bad.getKey());
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
  }

  @Test
  void whatALookupMayCostHasDefaultsAndCanBeSet() {
    LookupSettings defaults = GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1"))).lookups();
    assertEquals(new LookupSettings(32, 3_000, 30_000, 10_000), defaults);
    LookupSettings set = GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_MAX_PENDING_LOOKUPS", "8",
        "WEFT_GROUP_LOOKUP_WAIT_MS", "500", "WEFT_UNKNOWN_GROUPS_TTL_MS", "1000", "WEFT_UNKNOWN_GROUPS_MAX", "5"))).lookups();
    assertEquals(new LookupSettings(8, 500, 1_000, 5), set);
    ConfigException zero = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_MAX_PENDING_LOOKUPS", "0"))));
    assertTrue(zero.getMessage().contains("WEFT_MAX_PENDING_LOOKUPS"), zero.getMessage());
  }
}
