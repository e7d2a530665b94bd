package dev.weft.testkit;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What the two test classes saw, so each can compare itself with the other (whichever runs second checks). */
final class SharedRecord {

  static final Set<String> BOOTSTRAPS = ConcurrentHashMap.newKeySet();
  /** Test class name → the schema its tests saw. */
  static final Map<String, String> SCHEMAS = new ConcurrentHashMap<>();
  /** Test classes whose schema JUnit has had the chance to drop (their @AfterAll ran). */
  static final Set<String> FINISHED = ConcurrentHashMap.newKeySet();

  private SharedRecord() {}
}
