package dev.weft.gateway.server;

import dev.weft.gateway.config.ServerApiSettings;
import dev.weft.gateway.http.HistoryRoute;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.http.PersisterClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The server API's HTTP server (docs/server-api.md, docs/server-api.yaml): its own port, every route behind the
 * server credential. One instance: an app's backend calls it far less often than clients send.
 */
public final class ServerApiVerticle extends VerticleBase {

  private final ServerApiSettings settings;
  private final int maxBodyBytes;
  private final ServerMessages messages;
  private final ServerGroups groups;
  private final ServerUsers users;
  private final PersisterClient persister;
  private HttpServer server;
  private Router router;

  ServerApiVerticle(ServerApiSettings settings, int maxBodyBytes, ServerMessages messages, ServerGroups groups,
      ServerUsers users, PersisterClient persister) {
    this.settings = settings;
    this.maxBodyBytes = maxBodyBytes;
    this.messages = messages;
    this.groups = groups;
    this.users = users;
    this.persister = persister;
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route("/v1/server/*").handler(new ServerCredential(settings.keys()));
    router.route("/v1/server/*").handler(BodyHandler.create().setBodyLimit(maxBodyBytes));
    router.post("/v1/server/messages").handler(messages::publish);
    router.post("/v1/server/groups").handler(groups::create);
    router.post("/v1/server/groups/:conv/members").handler(groups::changeMembers);
    router.post("/v1/server/users/:user/disconnect").handler(users::disconnect);
    router.post("/v1/server/users/:user/revoke").handler(users::revoke);
    router.post("/v1/server/users/:user/erase").handler(users::erase);
    router.get("/v1/server/users/:user/presence").handler(users::presence);
    router.get("/v1/server/conversations/:conv/messages").handler(ctx -> {
      String after = ctx.request().getParam("after", "-1");
      String limit = ctx.request().getParam("limit", "50");
      if (HistoryRoute.validPage(ctx, after, limit)) {
        HistoryRoute.read(persister, ctx, ctx.pathParam("conv"), Long.parseLong(after), limit);
      }
    });
    router.route().last().handler(ctx -> HttpErrors.send(ctx.response(), 404, "not_found",
        "no such route: see docs/server-api.md"));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx.response(), 413, "too_large",
        "the body is over " + maxBodyBytes + " bytes"));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx.response(), 405, "method_not_allowed",
        "this route does not take " + ctx.request().method()));
    return router;
  }

  @Override
  public Future<?> start() {
    router = router();
    server = vertx.createHttpServer(new HttpServerOptions().setPort(settings.port())).requestHandler(router);
    return server.listen();
  }

  /**
   * Each route as "METHOD /path/{param}", as the OpenAPI file names them: for the test that holds the two together.
   */
  public java.util.List<String> routes() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      if (r.methods() == null || r.getPath() == null) {
        continue; // the credential, the body handler and the fallback: not routes of their own
      }
      String path = r.getPath().replaceAll(":(\\w+)", "{$1}");
      r.methods().forEach(m -> out.add(m.name() + " " + path));
    }
    return out;
  }

  /** The port it listens on (the chosen one when configured with 0). */
  public int port() {
    return server.actualPort();
  }
}
