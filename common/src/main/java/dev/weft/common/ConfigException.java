package dev.weft.common;

/** A setting is missing or has a wrong value; the message names the setting. Stops the service at start. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
