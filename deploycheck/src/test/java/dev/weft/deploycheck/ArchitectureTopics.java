package dev.weft.deploycheck;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The "Topics" table of docs/architecture.md: name, partitions and retention of every topic. */
final class ArchitectureTopics {

  /**
   * One row. {@code partitionsSetting} is the WEFT_* setting its partition count comes from, if any;
   * {@code retentionMs} is set for an explicit retention ("1 minute"), null for "default" or compacted.
   */
  record Topic(String name, String partitionsText, String partitionsSetting, boolean sameAsInbound, Integer partitions,
      boolean compacted, Long retentionMs) {
    boolean perGateway() {
      return name.contains("<");
    }
  }

  private static final Pattern SETTING = Pattern.compile("`(WEFT_[A-Z0-9_]+)`");
  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s+(second|minute|hour|day)s?$");

  private ArchitectureTopics() {}

  static List<Topic> load() {
    String doc = Repo.read("docs/architecture.md");
    int start = doc.indexOf("\n## Topics");
    if (start < 0) {
      throw new AssertionError("docs/architecture.md has no '## Topics' section");
    }
    int end = doc.indexOf("\n## ", start + 1);
    List<Topic> topics = new ArrayList<>();
    for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.split("\\|");
      // cells[0] is empty (the line starts with '|'): topic, key, value, partitions, retention, flow
      String name = cells[1].trim().replace("`", "");
      String partitions = cells[4].trim();
      String retention = cells[5].trim();
      Matcher setting = SETTING.matcher(partitions);
      Integer fixed = partitions.matches("\\d+") ? Integer.valueOf(partitions) : null;
      Matcher duration = DURATION.matcher(retention);
      Long retentionMs = duration.matches() ? Long.parseLong(duration.group(1)) * unitMs(duration.group(2)) : null;
      topics.add(new Topic(name, partitions, setting.find() ? setting.group(1) : null, partitions.contains("as inbound"), fixed,
          retention.contains("compacted"), retentionMs));
    }
    return topics;
  }

  private static long unitMs(String unit) {
    return switch (unit) {
      case "second" -> 1_000L;
      case "minute" -> 60_000L;
      case "hour" -> 3_600_000L;
      default -> 86_400_000L;
    };
  }
}
