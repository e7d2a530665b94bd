package dev.weft.deploycheck;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * README.md's configuration table: every WEFT_* setting, the services that read it and its default.
 * The table is the documented contract, so the deploy files are checked against it rather than
 * against numbers copied into these tests.
 */
final class ReadmeSettings {

  /** One row. {@code services} holds "all" or service names ("gateway", "token", ...), without backticks. */
  record Setting(String name, Set<String> services, String defaultText) {
    boolean readBy(String service) {
      return services.contains("all") || services.contains(service);
    }

    boolean required() {
      return defaultText.contains("required");
    }
  }

  private static final Pattern ROW = Pattern.compile("^\\|\\s*`(WEFT_[A-Z0-9_]+)`\\s*\\|([^|]*)\\|([^|]*)\\|", Pattern.MULTILINE);
  private static final Pattern FIRST_NUMBER = Pattern.compile("`(\\d+)`");

  private final Map<String, Setting> settings;

  private ReadmeSettings(Map<String, Setting> settings) {
    this.settings = settings;
  }

  static ReadmeSettings load() {
    Map<String, Setting> settings = new LinkedHashMap<>();
    Matcher m = ROW.matcher(Repo.read("README.md"));
    while (m.find()) {
      Set<String> services = Arrays.stream(m.group(2).split(","))
          .map(s -> s.replace("`", "").trim())
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
      settings.put(m.group(1), new Setting(m.group(1), services, m.group(3).trim()));
    }
    if (settings.size() < 10) {
      throw new AssertionError("README.md's configuration table not found (parsed " + settings.size() + " rows)");
    }
    return new ReadmeSettings(settings);
  }

  Optional<Setting> get(String name) {
    return Optional.ofNullable(settings.get(name));
  }

  List<Setting> requiredFor(String service) {
    return settings.values().stream().filter(s -> s.readBy(service) && s.required()).toList();
  }

  /** The first backticked number of the default column, or {@code fallback} while README has no such row. */
  int defaultInt(String name, int fallback) {
    Setting s = settings.get(name);
    if (s == null) {
      return fallback;
    }
    Matcher m = FIRST_NUMBER.matcher(s.defaultText());
    if (!m.find()) {
      throw new AssertionError("README: " + name + " has no numeric default: " + s.defaultText());
    }
    return Integer.parseInt(m.group(1));
  }
}
