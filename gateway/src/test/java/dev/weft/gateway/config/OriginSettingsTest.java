package dev.weft.gateway.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginSettingsTest {

  private static OriginSettings read(String value) {
    return OriginSettings.from(new Env(Map.of("WEFT_ALLOWED_ORIGINS", value)));
  }

  @Test
  void unsetAllowsEveryOrigin() {
    assertTrue(OriginSettings.from(new Env(Map.of())).allows("https://anything.example"));
  }

  @Test
  void aListAllowsOnlyItsOriginsIgnoringCase() {
    OriginSettings s = read(" https://App.Example.com ,http://localhost:3000");
    assertTrue(s.allows("https://app.example.com"));
    assertTrue(s.allows("http://localhost:3000"));
    assertFalse(s.allows("http://app.example.com"), "another scheme is another origin");
    assertFalse(s.allows("http://localhost:3001"), "another port is another origin");
  }

  @Test
  void somethingThatIsNotAnOriginIsAConfigError() {
    assertThrows(ConfigException.class, () -> read("https://app.example.com/chat"));
    assertThrows(ConfigException.class, () -> read("app.example.com"));
    assertThrows(ConfigException.class, () -> read("ftp://app.example.com"));
  }
}
