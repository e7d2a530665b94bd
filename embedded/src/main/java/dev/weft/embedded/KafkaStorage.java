package dev.weft.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/** Formats a KRaft node's log directory once, with the cluster id every embedded node shares. */
final class KafkaStorage {

  /**
   * Fixed so a log directory formatted by one start is accepted by the next (a node refuses a directory whose
   * {@code meta.properties} names another cluster), and so every node of one multi-node cluster agrees.
   */
  static final String CLUSTER_ID = "V2VmdEVtYmVkZGVkS2Fma2E";

  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private KafkaStorage() {}

  /** Formats {@code dir} for {@code nodeId} unless it holds a {@code meta.properties} already. */
  static void formatIfNeeded(Path dir, int nodeId) {
    if (Files.exists(dir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(dir);
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(CLUSTER_ID)
          .setDirectories(List.of(dir.toString()))
          .setMetadataLogDirectory(dir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Kafka log directory " + dir, e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka log directory " + dir, e);
    }
  }
}
