package dev.weft.testkit;

import dev.weft.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The run's one broker, kept in the root extension context's store so JUnit closes it when the run ends.
 *
 * <p>Implements both closing contracts: JUnit 5.13+ closes {@link AutoCloseable} values (and only calls one of the
 * two), older versions or {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false} use
 * {@code CloseableResource}.
 */
@SuppressWarnings("deprecation")
final class SharedKafka implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final EmbeddedKafka kafka;
  private final Path logDir;

  private SharedKafka(EmbeddedKafka kafka, Path logDir) {
    this.kafka = kafka;
    this.logDir = logDir;
  }

  static SharedKafka start() {
    // A fresh directory per run: topics from an earlier run must not leak into this one.
    Path logDir = TargetDir.root().resolve("kafka-" + UUID.randomUUID());
    return new SharedKafka(EmbeddedKafka.start(0, logDir), logDir);
  }

  String bootstrap() {
    return kafka.bootstrap();
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      TargetDir.deleteQuietly(logDir);
    }
  }
}
