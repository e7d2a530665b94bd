package dev.weft.gateway.http;

import dev.weft.common.Tokens;
import dev.weft.common.UserIds;
import dev.weft.gateway.config.DemoSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo chat page and the JavaScript client it runs on ({@code /client/demo/}, {@code /client/src/}), and in
 * development only a token minting route ({@code /dev/token?user=}), so a newcomer chats in a browser a minute after
 * {@code ./weft dev}. Off in production.
 */
public final class DemoRoutes {

  private static final Logger log = LoggerFactory.getLogger(DemoRoutes.class);

  private final DemoSettings settings;
  private final Tokens tokens;

  public DemoRoutes(DemoSettings settings, Tokens tokens) {
    this.settings = settings;
    this.tokens = tokens;
  }

  public void mount(Router router) {
    if (!settings.enabled()) {
      return;
    }
    Path dir = Path.of(settings.dir()).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir.resolve("demo")) || !Files.isDirectory(dir.resolve("src"))) {
      log.warn("WEFT_DEMO is on but {} has no demo/ and src/; the demo page is not served", dir);
      return;
    }
    router.get("/").handler(ctx -> ctx.redirect("/client/demo/"));
    router.get("/client/demo/*").handler(StaticHandler.create(FileSystemAccess.ROOT, dir.resolve("demo").toString())
        .setCachingEnabled(false));
    router.get("/client/src/*").handler(StaticHandler.create(FileSystemAccess.ROOT, dir.resolve("src").toString())
        .setCachingEnabled(false));
    if (settings.devTokens()) {
      router.get("/dev/token").handler(ctx -> {
        if (!loopback(ctx.request().remoteAddress())) {
          HttpErrors.send(ctx.response(), 403, "forbidden", "dev tokens are served to callers on this machine only");
          return;
        }
        String user = ctx.request().getParam("user");
        if (user == null || !UserIds.valid(user)) {
          HttpErrors.send(ctx.response(), 400, "bad_request", "user must be a user id: " + UserIds.RULE);
          return;
        }
        ctx.json(new JsonObject().put("user", user).put("token", tokens.issue(user, Duration.ofHours(12))));
      });
    }
  }

  /**
   * True for 127.0.0.0/8 and ::1. Only an IP literal counts: it is parsed, never looked up, since this runs on an
   * event loop.
   */
  static boolean loopback(io.vertx.core.net.SocketAddress remote) {
    byte[] ip = remote == null || remote.hostAddress() == null ? null
        : io.netty.util.NetUtil.createByteArrayFromIpAddressString(remote.hostAddress());
    if (ip == null) {
      return false;
    }
    try {
      return java.net.InetAddress.getByAddress(ip).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false; // not 4 or 16 bytes: cannot happen for a parsed literal
    }
  }
}
