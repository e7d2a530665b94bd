package dev.weft.chaos;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One user with one device, behaving as docs/protocol.md "Writing a client" says a client must: it connects with the
 * last cursor it stored, keeps each send in an outbox until its ack, resends with {@code "resend": true} after a
 * reconnect or a retryable error, reconnects with backoff by close code, and skips a message whose id it already
 * holds. What it sees goes to the {@link Ledger}; a message shown twice or out of order is counted there.
 *
 * <p>State is guarded by this object's monitor: the traffic thread sends, the socket's event loop receives.
 */
final class ChaosUser {

  private final int index;
  private final String name;
  private final String token;
  private final ChaosUsers users;
  private final Ledger ledger;
  private WebSocket socket;
  private boolean welcomed;
  private boolean stopped;
  private String cursor = "new";
  private int failedConnects;
  /**
   * Unacked sends by message number; the value says whether it may have been stored (written to a socket that closed
   * before its ack, or answered {@code unavailable}), so its next write carries {@code "resend": true}.
   */
  private final Map<Integer, Boolean> outbox = new LinkedHashMap<>();
  /** Sends written to the current socket and not yet answered. */
  private final Set<Integer> inFlight = new HashSet<>();
  private final Map<String, Long> lastSeq = new HashMap<>();
  private final Set<String> seenIds = new HashSet<>();
  /** Retryable errors each unacked send has had: its backoff doubles with each, as the protocol asks. */
  private final Map<Integer, Integer> retries = new HashMap<>();

  ChaosUser(int index, String name, String token, ChaosUsers users, Ledger ledger) {
    this.index = index;
    this.name = name;
    this.token = token;
    this.users = users;
    this.ledger = ledger;
  }

  synchronized boolean welcomed() {
    return welcomed;
  }

  synchronized int unacked() {
    return outbox.size();
  }

  synchronized void send(int n) {
    outbox.put(n, false);
    if (welcomed) {
      write(n);
    }
  }

  private void write(int n) {
    boolean before = outbox.get(n);
    inFlight.add(n);
    if (before) {
      ledger.trace(n, System.nanoTime(), "resend on " + socket.localAddress());
    }
    socket.writeTextMessage("{\"op\":\"send\",\"ref\":\"m" + n + "\",\"to\":\"" + users.name(ledger.to[n])
        + "\",\"text\":\"m" + n + "|" + users.padding() + "\"" + (before ? ",\"resend\":true" : "") + "}");
  }

  synchronized void connect() {
    if (stopped) {
      return;
    }
    WebSocketClient client = users.client();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(users.port())
            .setURI("/v1/ws?device=chaos&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))
            .addHeader("Authorization", "Bearer " + token))
        .onSuccess(this::opened)
        .onFailure(e -> {
          ledger.event("connect_failed", System.nanoTime());
          synchronized (this) {
            failedConnects++;
          }
          reconnectIn(backoff());
        });
  }

  private synchronized void opened(WebSocket ws) {
    if (stopped) {
      ws.close();
      return;
    }
    socket = ws;
    ws.textMessageHandler(text -> onFrame(new JsonObject(text)));
    ws.closeHandler(v -> closed(ws));
  }

  private void onFrame(JsonObject f) {
    long now = System.nanoTime();
    switch (String.valueOf(f.getString("op"))) {
      case "welcome" -> {
        ledger.connection(index, now, "welcome from " + f.getString("gateway") + ", session " + f.getString("session"));
        welcome();
      }
      case "ack" -> {
        int n = number(f.getString("ref"));
        if (n >= 0) {
          synchronized (this) {
            outbox.remove(n);
            retries.remove(n);
            inFlight.remove(n);
          }
          ledger.acked(n, f.getString("id"));
          if (!ledger.trace(n).isEmpty()) {
            ledger.trace(n, now, "ack " + f.getString("id") + " seq " + f.getValue("seq"));
          }
        }
      }
      case "error" -> error(f, now);
      case "msg" -> message(f, now);
      case "synced" -> {
        ledger.connection(index, now, "synced");
        synchronized (this) {
          cursor = f.getString("cursor", cursor);
        }
        if (f.getBoolean("reset", false)) {
          ledger.event("synced_reset", now);
        }
      }
      default -> { }
    }
  }

  private synchronized void welcome() {
    welcomed = true;
    failedConnects = 0;
    for (Integer n : outbox.keySet().toArray(Integer[]::new)) {
      write(n);
    }
  }

  private void error(JsonObject f, long now) {
    String code = String.valueOf(f.getString("code"));
    ledger.event("error:" + code, now);
    int n = number(f.getString("ref"));
    if (n < 0) {
      return;
    }
    ledger.trace(n, now, "error " + code);
    if (f.getBoolean("retry", false)) {
      int tries;
      synchronized (this) {
        tries = retries.merge(n, 1, Integer::sum);
        inFlight.remove(n);
        // Only unavailable may have stored it; after the others nothing was published, and the resend flag would
        // cost the gateway a history check for nothing.
        if ("unavailable".equals(code) && outbox.containsKey(n)) {
          outbox.put(n, true);
        }
      }
      // A fixed short retry fed a flood of too_many_pending: every resend queued behind the lookups it was waiting on.
      long base = Math.min(5_000, 200L << Math.min(5, tries - 1));
      users.vertx().setTimer(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1), t -> {
        synchronized (this) {
          // Not if a reconnect's welcome wrote it again meanwhile: two writes without resend are two messages.
          if (welcomed && outbox.containsKey(n) && !inFlight.contains(n)) {
            write(n);
          }
        }
      });
    } else {
      synchronized (this) {
        outbox.remove(n);
        retries.remove(n);
        inFlight.remove(n);
      }
      if (n < ledger.capacity) {
        ledger.refused.set(n, 1);
      }
    }
  }

  private void message(JsonObject f, long now) {
    if (name.equals(f.getString("from"))) {
      // One of this device's own sends, back in a catch-up: it holds the ack (or will, from its resend).
      return;
    }
    int n = number(f.getString("text"));
    String id = f.getString("id");
    String conv = f.getString("conv");
    long seq = f.getLong("seq", -1L);
    boolean inOrder;
    synchronized (this) {
      String c = f.getString("cursor");
      if (c != null) {
        cursor = c;
      }
      if (!seenIds.add(id)) {
        ledger.redelivered.increment();
        return;
      }
      Long last = lastSeq.get(conv);
      inOrder = last == null || seq > last;
      lastSeq.merge(conv, seq, Math::max);
    }
    if (n >= 0) {
      ledger.delivered(n, index, id, now, inOrder);
    }
  }

  private void closed(WebSocket ws) {
    Short code = ws.closeStatusCode();
    long now = System.nanoTime();
    ledger.event("close:" + (code == null ? "none" : code), now);
    ledger.connection(index, now, "close " + code);
    synchronized (this) {
      if (socket == ws) {
        for (Integer n : inFlight) {
          if (outbox.containsKey(n)) {
            outbox.put(n, true);
            ledger.trace(n, now, "close " + code + " with this send unacked");
          }
        }
        inFlight.clear();
      }
    }
    long delay;
    synchronized (this) {
      if (socket != ws) {
        return;
      }
      socket = null;
      welcomed = false;
      if (stopped) {
        return;
      }
      // 1013 asks for seconds of backoff; everything else reconnects at once, with jitter so a gateway's clients do
      // not all arrive in the same millisecond.
      delay = code != null && code == 1013 ? 1_000 + ThreadLocalRandom.current().nextInt(1_000)
          : ThreadLocalRandom.current().nextInt(250);
    }
    reconnectIn(delay);
  }

  private long backoff() {
    int failed;
    synchronized (this) {
      failed = failedConnects;
    }
    long base = Math.min(2_000, 100L << Math.min(5, failed));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private void reconnectIn(long delayMs) {
    users.vertx().setTimer(Math.max(1, delayMs), t -> connect());
  }

  synchronized void stop() {
    stopped = true;
    if (socket != null) {
      socket.close();
    }
  }

  /** The message number in a ref or text ("m17" or "m17|…"), or -1 for anything else. */
  static int number(String keyed) {
    if (keyed == null || !keyed.startsWith("m")) {
      return -1;
    }
    int end = keyed.indexOf('|');
    try {
      return Integer.parseInt(keyed.substring(1, end < 0 ? keyed.length() : end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** What every user shares: the connection, the names, the padding. */
  interface ChaosUsers {
    WebSocketClient client();

    Vertx vertx();

    int port();

    String name(int user);

    String padding();
  }
}
