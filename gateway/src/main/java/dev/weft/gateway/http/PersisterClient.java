package dev.weft.gateway.http;

import dev.weft.common.InternalSecret;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Every call a gateway makes to a persister starts here: the one place that knows the persister's base URL and puts
 * the internal secret on the request, so no call can go out without it.
 */
public final class PersisterClient {

  private final WebClient client;
  private final String baseUrl;
  private final InternalSecret secret;

  public PersisterClient(WebClient client, String baseUrl, InternalSecret secret) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.secret = secret;
  }

  /** A GET of {@code path} (starting with {@code /internal/}), carrying the secret. */
  HttpRequest<Buffer> get(String path) {
    return client.getAbs(baseUrl + path).putHeader(InternalSecret.HEADER, secret.value());
  }

  /** A POST to {@code path} (starting with {@code /internal/}), carrying the secret. */
  HttpRequest<Buffer> post(String path) {
    return client.postAbs(baseUrl + path).putHeader(InternalSecret.HEADER, secret.value());
  }

  /** {@code /internal/v1/users/<user>/<what>}, the user id encoded as one path segment. */
  static String userPath(String user, String what) {
    return "/internal/v1/users/" + segment(user) + "/" + what;
  }

  /** A path segment: URLEncoder writes a space as '+', which a path does not read as one. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** For log lines. */
  String baseUrl() {
    return baseUrl;
  }
}
