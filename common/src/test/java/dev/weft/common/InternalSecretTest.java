package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InternalSecretTest {

  private static final String SECRET = "an-internal-secret-of-enough-bytes-0123";

  @Test
  void isRequiredOutsideDevelopment_andTakesTheDevDefaultUnderWeftDev() {
    ConfigException missing = assertThrows(ConfigException.class, () -> InternalSecret.from(new Env(Map.of())));
    assertTrue(missing.getMessage().contains("WEFT_INTERNAL_SECRET"), missing.getMessage());
    assertEquals(DevDefaults.INTERNAL_SECRET, InternalSecret.from(new Env(Map.of("WEFT_DEV", "1"))).value());
  }

  @Test
  void refusesTheDevSecretOutsideDevelopment_andAShortOne() {
    ConfigException dev = assertThrows(ConfigException.class,
        () -> InternalSecret.from(new Env(Map.of("WEFT_INTERNAL_SECRET", DevDefaults.INTERNAL_SECRET))));
    assertTrue(dev.getMessage().contains("development secret"), dev.getMessage());
    ConfigException shortOne = assertThrows(ConfigException.class,
        () -> InternalSecret.from(new Env(Map.of("WEFT_INTERNAL_SECRET", "too-short"))));
    assertTrue(shortOne.getMessage().contains("at least 32 bytes"), shortOne.getMessage());
  }

  @Test
  void matchesOnlyTheExactSecret_andNeverShowsIt() {
    InternalSecret s = InternalSecret.from(new Env(Map.of("WEFT_INTERNAL_SECRET", SECRET)));
    assertTrue(s.matches(SECRET));
    for (String other : new String[] {null, "", SECRET.substring(1), SECRET + "x", SECRET.toUpperCase()}) {
      assertFalse(s.matches(other), String.valueOf(other));
    }
    assertFalse(s.toString().contains(SECRET));
  }
}
