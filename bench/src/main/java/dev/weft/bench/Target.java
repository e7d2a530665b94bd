package dev.weft.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * What one part of the run measures: a WebSocket endpoint speaking Weft's protocol, and the processes that serve it.
 *
 * @param serverPids read before and after every phase, so a process that starts late (mariadbd under the dev JVM)
 *     is counted from when it exists
 */
public record Target(String name, String host, int port, Supplier<List<Long>> serverPids) {

  /** Weft's target name in the report. */
  public static final String WEFT = "weft";
  /** The in-memory relay's target name in the report. */
  public static final String BASELINE = "baseline";
}
