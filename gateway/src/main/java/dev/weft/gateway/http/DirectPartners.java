package dev.weft.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Asks a persister which users have a one-to-one conversation with a user, one that holds a stored message: the
 * gateway cannot tell from what it holds (it sees only its own clients' traffic), and the database must not be read on
 * an event loop. One request per {@link #CHUNK} users.
 */
public final class DirectPartners {

  /** The persister's bound on users per request. */
  static final int CHUNK = 500;
  private static final int TIMEOUT_MS = 10_000;

  private final PersisterClient persister;

  public DirectPartners(PersisterClient persister) {
    this.persister = persister;
  }

  /** Those of {@code candidates} with a stored one-to-one conversation with {@code user}. Fails when it cannot tell. */
  public Future<Set<String>> of(String user, List<String> candidates) {
    List<Future<Set<String>>> parts = new ArrayList<>();
    for (int from = 0; from < candidates.size(); from += CHUNK) {
      parts.add(ask(user, candidates.subList(from, Math.min(candidates.size(), from + CHUNK))));
    }
    return Future.all(parts).map(all -> {
      Set<String> out = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        out.addAll(all.<Set<String>>resultAt(i));
      }
      return out;
    });
  }

  private Future<Set<String>> ask(String user, List<String> chunk) {
    HttpRequest<Buffer> request = persister.get(PersisterClient.userPath(user, "partners"));
    chunk.forEach(u -> request.addQueryParam("with", u));
    return request.timeout(TIMEOUT_MS).send().compose(r -> {
      if (r.statusCode() != 200) {
        return Future.failedFuture("partners lookup answered " + r.statusCode());
      }
      JsonArray partners = r.bodyAsJsonObject().getJsonArray("partners", new JsonArray());
      Set<String> out = new HashSet<>();
      partners.forEach(p -> out.add(String.valueOf(p)));
      return Future.succeededFuture(out);
    });
  }
}
