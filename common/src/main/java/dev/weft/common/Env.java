package dev.weft.common;

import java.util.Map;
import java.util.Optional;

/**
 * Typed, validated reads of settings from the environment (or any map, for tests).
 *
 * <p>Every read names its setting in the error it throws, so a wrong value stops a service with a
 * message that says which variable to fix.
 */
public final class Env {

  private final Map<String, String> values;

  public Env(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /**
   * The process environment, over the settings of {@code WEFT_CONFIG_FILE} when that names a file (Java properties
   * format, {@code WEFT_X=value} per line): the environment wins, so a deployment can override one setting of a shared
   * file. A file that cannot be read stops the service, naming it.
   */
  public static Env system() {
    return withFile(System.getenv());
  }

  static Env withFile(Map<String, String> environment) {
    String file = environment.get("WEFT_CONFIG_FILE");
    if (file == null || file.isBlank()) {
      return new Env(environment);
    }
    java.util.Properties props = new java.util.Properties();
    try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file.trim()))) {
      props.load(in);
    } catch (java.io.IOException | RuntimeException e) {
      throw new ConfigException("WEFT_CONFIG_FILE=" + file + " cannot be read: " + e.getMessage());
    }
    Map<String, String> merged = new java.util.HashMap<>();
    props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k)));
    merged.putAll(environment);
    return new Env(merged);
  }

  /** True when {@code WEFT_DEV} is set to 1 or true: unset settings take the development defaults. */
  public boolean dev() {
    String v = raw("WEFT_DEV").orElse("0").trim();
    return v.equals("1") || v.equalsIgnoreCase("true");
  }

  /** Every variable, for handing the same settings to another process. */
  public Map<String, String> values() {
    return values;
  }

  public Optional<String> raw(String key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String string(String key, String defaultValue) {
    return raw(key).orElse(defaultValue);
  }

  /** A setting with a development default: required unless WEFT_DEV is on. */
  public String required(String key, String devDefault, String what) {
    Optional<String> v = raw(key);
    if (v.isPresent()) {
      return v.get();
    }
    if (dev() && devDefault != null) {
      return devDefault;
    }
    throw new ConfigException(key + " is not set: " + what
        + (devDefault != null ? " (or set WEFT_DEV=1 to use the development default)" : ""));
  }

  public int integer(String key, int defaultValue, int min, int max) {
    Optional<String> v = raw(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(v.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "=" + v.get() + " is not an integer");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key + "=" + parsed + " is out of range [" + min + ", " + max + "]");
    }
    return parsed;
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    Optional<String> v = raw(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "=" + v.get() + " is not an integer");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key + "=" + parsed + " is out of range [" + min + ", " + max + "]");
    }
    return parsed;
  }
}
