package dev.weft.bench;

import dev.weft.common.Tokens;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Logs users in with a bounded number under way: a login is the WebSocket upgrade, the server's token check, the
 * session announced, and the {@code welcome} received. Each finished login starts the next, so the count in flight
 * stays at the bound until the end.
 */
final class Logins {

  private final WebSocketClient client;
  private final Target target;
  private final Tokens tokens;

  Logins(WebSocketClient client, Target target, Tokens tokens) {
    this.client = client;
    this.target = target;
    this.tokens = tokens;
  }

  Connected run(String userPrefix, int count, int inFlight) throws InterruptedException {
    String[] users = new String[count];
    String[] tokensOf = new String[count];
    for (int i = 0; i < count; i++) {
      users[i] = userPrefix + i;
      // Signed before the clock starts: the bench's HMAC is not the server's login cost.
      tokensOf[i] = tokens.issue(users[i], Duration.ofHours(6));
    }
    WebSocket[] sockets = new WebSocket[count];
    Samples micros = new Samples();
    Connected.ListenerSlot slot = new Connected.ListenerSlot();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(count);
    Runnable[] startNext = new Runnable[1];
    startNext[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count) {
        return;
      }
      AtomicInteger finished = new AtomicInteger();
      Runnable finish = () -> {
        if (finished.getAndIncrement() == 0) {
          done.countDown();
          startNext[0].run();
        }
      };
      long t0 = System.nanoTime();
      client.connect(new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
              .setURI("/v1/ws?device=bench").addHeader("Authorization", "Bearer " + tokensOf[i]))
          .onSuccess(ws -> {
            sockets[i] = ws;
            ws.textMessageHandler(text -> {
              JsonObject f = new JsonObject(text);
              String op = f.getString("op");
              if ("welcome".equals(op)) {
                micros.add((System.nanoTime() - t0) / 1000);
                finish.run();
              } else {
                slot.current.onFrame(i, op, f);
              }
            });
            ws.closeHandler(v -> {
              if (finished.get() == 0) {
                fail(failures, firstFailure, "closed before welcome: " + ws.closeStatusCode() + " " + ws.closeReason());
                finish.run();
              }
            });
          })
          .onFailure(e -> {
            fail(failures, firstFailure, e.toString());
            finish.run();
          });
    };
    long start = System.nanoTime();
    for (int k = 0; k < Math.min(inFlight, count); k++) {
      startNext[0].run();
    }
    if (!done.await(Math.max(120, count / 20), TimeUnit.SECONDS)) {
      fail(failures, firstFailure, done.getCount() + " logins neither finished nor failed in time");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Connected(users, sockets, micros.sorted(), failures.get(), firstFailure.get(), seconds, slot);
  }

  private static void fail(AtomicInteger failures, AtomicReference<String> first, String why) {
    failures.incrementAndGet();
    first.compareAndSet(null, why);
  }
}
