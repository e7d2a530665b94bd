package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may open a socket: the browser's defence against cross-site WebSocket hijacking.
 *
 * @param allowed WEFT_ALLOWED_ORIGINS: comma-separated origins ({@code https://app.example.com}) whose pages may
 *     upgrade; a browser request from any other origin gets 403 {@code origin_not_allowed}. Requests without an
 *     {@code Origin} header (native apps, servers) are not affected. Empty (the default) allows every origin: tokens
 *     travel in a header or query parameter, never in a cookie, so a foreign page cannot borrow a user's credentials.
 */
public record OriginSettings(Set<String> allowed) {

  public boolean allowsAny() {
    return allowed.isEmpty();
  }

  public boolean allows(String origin) {
    return allowed.isEmpty() || allowed.contains(origin.toLowerCase(Locale.ROOT));
  }

  static OriginSettings from(Env env) {
    String raw = env.string("WEFT_ALLOWED_ORIGINS", "").trim();
    if (raw.isEmpty()) {
      return new OriginSettings(Set.of());
    }
    return new OriginSettings(Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(OriginSettings::checked).collect(Collectors.toUnmodifiableSet()));
  }

  private static String checked(String origin) {
    try {
      URI uri = new URI(origin);
      boolean web = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme());
      boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty();
      if (web && uri.getHost() != null && bare && uri.getRawQuery() == null && uri.getRawFragment() == null) {
        return origin.toLowerCase(Locale.ROOT);
      }
    } catch (java.net.URISyntaxException e) {
      // fall through to the message below
    }
    throw new ConfigException("WEFT_ALLOWED_ORIGINS: " + origin
        + " is not an origin; write scheme://host[:port], e.g. https://app.example.com, with no path");
  }
}
