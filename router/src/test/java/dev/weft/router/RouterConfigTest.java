package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

  @Test
  void hasDocumentedDefaults() {
    RouterConfig c = RouterConfig.from(new Env(Map.of("HOSTNAME", "router-0")));
    assertEquals("router-0", c.routerId());
    assertEquals("weft-router", c.group());
    assertEquals(500, c.maxPollRecords());
    assertEquals(Duration.ofMillis(100), c.retryBackoffMin());
    assertEquals(Duration.ofSeconds(10), c.retryBackoffMax());
    assertEquals(Duration.ofSeconds(60), c.startTimeout());
    assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
    assertEquals("router", RouterConfig.from(new Env(Map.of())).routerId());
  }

  @Test
  void readsEverySetting() {
    RouterConfig c = RouterConfig.from(new Env(Map.of(
        "WEFT_ROUTER_ID", "r1", "WEFT_ROUTER_GROUP", "g1", "WEFT_ROUTER_MAX_POLL_RECORDS", "7",
        "WEFT_ROUTER_RETRY_BACKOFF_MS", "5", "WEFT_ROUTER_RETRY_BACKOFF_MAX_MS", "50",
        "WEFT_ROUTER_START_TIMEOUT_MS", "2000", "WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS", "3000")));
    assertEquals("r1", c.routerId());
    assertEquals("g1", c.group());
    assertEquals(7, c.maxPollRecords());
    assertEquals(Duration.ofMillis(5), c.retryBackoffMin());
    assertEquals(Duration.ofMillis(50), c.retryBackoffMax());
    assertEquals(Duration.ofSeconds(2), c.startTimeout());
    assertEquals(Duration.ofSeconds(3), c.shutdownTimeout());
  }

  @Test
  void namesTheSettingThatIsWrong() {
    assertTrue(assertThrows(ConfigException.class,
        () -> RouterConfig.from(new Env(Map.of("WEFT_ROUTER_MAX_POLL_RECORDS", "0")))).getMessage()
        .contains("WEFT_ROUTER_MAX_POLL_RECORDS"));
    assertTrue(assertThrows(ConfigException.class,
        () -> RouterConfig.from(new Env(Map.of("WEFT_ROUTER_GROUP", "a group")))).getMessage()
        .contains("WEFT_ROUTER_GROUP"));
    assertTrue(assertThrows(ConfigException.class, () -> RouterConfig.from(new Env(Map.of(
        "WEFT_ROUTER_RETRY_BACKOFF_MS", "500", "WEFT_ROUTER_RETRY_BACKOFF_MAX_MS", "100")))).getMessage()
        .contains("WEFT_ROUTER_RETRY_BACKOFF_MAX_MS"));
  }
}
