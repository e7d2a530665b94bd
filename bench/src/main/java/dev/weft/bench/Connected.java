package dev.weft.bench;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Users that logged in, one socket each, and how their logins went. Frames go to {@link #listener}, which a phase
 * sets for its length.
 *
 * @param loginMicros per login that got its {@code welcome}: connect to {@code welcome}, sorted
 * @param seconds from the first connect to the last {@code welcome} (or failure)
 */
record Connected(String[] users, WebSocket[] sockets, long[] loginMicros, int failures, String firstFailure, double seconds,
    ListenerSlot listener) {

  /** The phase that currently owns the users' frames; volatile because event loops read it while a phase swaps it. */
  static final class ListenerSlot {
    volatile FrameListener current = FrameListener.IGNORE;
  }

  int count() {
    return users.length;
  }

  double loginsPerSecond() {
    return loginMicros.length / seconds;
  }

  void close() throws Exception {
    listener.current = FrameListener.IGNORE;
    List<Future<Void>> closing = new ArrayList<>();
    for (WebSocket ws : sockets) {
      if (ws != null) {
        closing.add(ws.close());
      }
    }
    // Closing fails for a socket the server closed already; that is closed too.
    Future.join(closing).toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(60, TimeUnit.SECONDS);
  }
}
