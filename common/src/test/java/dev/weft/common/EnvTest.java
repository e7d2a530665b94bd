package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvTest {

  @Test
  void aConfigFileSuppliesSettingsAndTheEnvironmentOverridesThem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("weft.properties");
    Files.writeString(file, "WEFT_SEND_RATE=50\nWEFT_TOPIC_PREFIX=file.\n");
    Env env = Env.withFile(Map.of("WEFT_CONFIG_FILE", file.toString(), "WEFT_TOPIC_PREFIX", "env."));
    assertEquals(50, env.integer("WEFT_SEND_RATE", 200, 1, 1000));
    assertEquals("env.", env.string("WEFT_TOPIC_PREFIX", "weft."));
  }

  @Test
  void anUnreadableConfigFileStopsTheServiceNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Env.withFile(Map.of("WEFT_CONFIG_FILE", "/nonexistent/weft.properties")));
    assertTrue(e.getMessage().contains("WEFT_CONFIG_FILE=/nonexistent/weft.properties"), e.getMessage());
  }

  @Test
  void aWrongValueNamesTheSetting() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new Env(Map.of("WEFT_SEND_RATE", "fast")).integer("WEFT_SEND_RATE", 200, 1, 1000));
    assertTrue(e.getMessage().contains("WEFT_SEND_RATE"), e.getMessage());
  }
}
