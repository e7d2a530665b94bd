package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the test kit keeps broker logs and database files: under the tested module's {@code target/}. */
final class TargetDir {

  private TargetDir() {}

  /** {@code <module>/target/weft-testkit}; surefire sets {@code basedir} to the module, else the working directory. */
  static Path root() {
    String basedir = System.getProperty("basedir");
    Path module = basedir == null || basedir.isBlank() ? Path.of("") : Path.of(basedir);
    return module.resolve("target").resolve("weft-testkit").toAbsolutePath();
  }

  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // Left for `mvn clean`; a test run must not fail over it.
    }
  }
}
