package dev.weft.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AbuseLimitsTest {

  @Test
  void defaultsTrustNoProxy() {
    AbuseLimits l = AbuseLimits.from(new Env(Map.of()), 200, 400);
    assertEquals(List.of(), l.trustedProxies());
    assertEquals(500, l.maxConnectionsPerAddress());
    assertEquals(10_000, l.requestTimeoutMs());
  }

  @Test
  void trustedProxiesAreCidrsOfIpLiterals() {
    assertEquals(List.of("10.0.0.0/8", "fd00::/8", "192.0.2.1"),
        AbuseLimits.from(new Env(Map.of("WEFT_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8,192.0.2.1")), 200, 400).trustedProxies());
    for (String bad : new String[] {"lb.internal", "10.0.0.0/33", "10.0.0.0/x", "::/129"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> AbuseLimits.from(new Env(Map.of("WEFT_TRUSTED_PROXIES", bad)), 200, 400), bad);
      assertTrue(e.getMessage().contains("WEFT_TRUSTED_PROXIES"), e.getMessage());
    }
  }

  @Test
  void theUserBudgetDefaultsToTwiceTheSocketBudget() {
    AbuseLimits l = AbuseLimits.from(new Env(Map.of()), 100_000, 100_000);
    assertEquals(200_000, l.sendRatePerUser());
    assertEquals(200_000, l.sendBurstPerUser());
    assertEquals(7, AbuseLimits.from(new Env(Map.of("WEFT_SEND_RATE_PER_USER", "7")), 200, 400).sendRatePerUser());
  }

  @Test
  void ratesOutOfRangeAreRefused() {
    assertThrows(ConfigException.class, () -> AbuseLimits.from(new Env(Map.of("WEFT_SEND_RATE_PER_USER", "0")), 200, 400));
    assertThrows(ConfigException.class, () -> AbuseLimits.from(new Env(Map.of("WEFT_HTTP_REQUEST_TIMEOUT_MS", "5")), 200, 400));
  }
}
