package dev.weft.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaSettingsTest {

  @Test
  void defaultsAreDocumentedOnesAndPresenceIsSharedOnly() {
    GatewayConfig c = GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1")));
    assertEquals(new QuotaSettings(50, 500, 200), c.quotas());
    assertEquals(PresencePolicy.SHARED, c.signals().presencePolicy());
    assertEquals(PresencePolicy.EVERYONE,
        GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_PRESENCE_POLICY", "everyone"))).signals().presencePolicy());
  }

  @Test
  void aBadValueStopsTheServiceNamingTheSetting() {
    ConfigException policy = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_PRESENCE_POLICY", "friends"))));
    assertTrue(policy.getMessage().contains("WEFT_PRESENCE_POLICY"), policy.getMessage());
    ConfigException quota = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_GROUPS_PER_USER", "0"))));
    assertTrue(quota.getMessage().contains("WEFT_GROUPS_PER_USER"), quota.getMessage());
  }
}
