package dev.weft.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Messages that arrived after their phase's drain ended, counted by phase: the frames no running phase claims. A
 * message counted lost and then seen here was late, not gone; one never seen here is gone (or later still).
 */
final class LateArrivals implements FrameListener {

  private final Map<Integer, LongAdder> byPhase = new ConcurrentHashMap<>();

  @Override
  public void onFrame(int user, String op, JsonObject frame) {
    if (!"msg".equals(op)) {
      return;
    }
    String text = frame.getString("text");
    int dot = text == null ? -1 : text.indexOf('.');
    if (dot < 2 || text.charAt(0) != 'p') {
      return;
    }
    try {
      byPhase.computeIfAbsent(Integer.parseInt(text.substring(1, dot)), k -> new LongAdder()).increment();
    } catch (NumberFormatException e) {
      // Not a bench message.
    }
  }

  long of(int phaseNo) {
    LongAdder n = byPhase.get(phaseNo);
    return n == null ? 0 : n.sum();
  }

  Map<Integer, Long> snapshot() {
    Map<Integer, Long> m = new TreeMap<>();
    byPhase.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
