package dev.weft.bench;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One fixed-rate phase, open loop: message n is sent at start + n / rate whether or not earlier ones have arrived, from
 * a random user to a random other user. The text starts with the phase and message number, so the recipient's
 * {@code msg} finds its send time, and a second arrival is a duplicate.
 *
 * <p>Sends come from one thread of their own, not from an event loop: the receivers' event loops then never hold up
 * the schedule, and a schedule that slips shows as {@link PhaseResult#maxSendLagMs()}. Vert.x hands each write to its
 * socket's event loop.
 */
final class OpenLoopPhase implements FrameListener {

  private final int phaseNo;
  private final String name;
  private final String kind;
  private final int rate;
  private final int seconds;
  private final Connected users;
  private final int textBytes;
  private final String keyPrefix;
  private final int total;
  private final AtomicLongArray sentNanos;
  private final int[] recipient;
  // Per message: deliveries seen, and 1 once acked or refused.
  private final AtomicIntegerArray deliveries;
  private final AtomicIntegerArray answered;
  private final Samples latency = new Samples();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong misdelivered = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
  private final LateArrivals late;

  OpenLoopPhase(int phaseNo, String name, String kind, int rate, int seconds, Connected users, int textBytes,
      LateArrivals late) {
    this.late = late;
    this.phaseNo = phaseNo;
    this.name = name;
    this.kind = kind;
    this.rate = rate;
    this.seconds = seconds;
    this.users = users;
    this.textBytes = textBytes;
    this.keyPrefix = "p" + phaseNo + ".";
    this.total = Math.multiplyExact(rate, seconds);
    this.sentNanos = new AtomicLongArray(total);
    this.recipient = new int[total];
    this.deliveries = new AtomicIntegerArray(total);
    this.answered = new AtomicIntegerArray(total);
  }

  PhaseResult run(Supplier<List<Long>> serverPids, int drainSeconds) throws InterruptedException {
    users.listener().current = this;
    List<Long> pids0 = serverPids.get();
    ProcStats.Usage server0 = ProcStats.of(pids0);
    Map<String, Long> byProcess0 = ProcStats.ticksByProcess(pids0);
    ProcStats.Usage bench0 = ProcStats.self();
    long start = System.nanoTime();
    long[] lastSendAndLag = send(start);
    long drainUntil = System.nanoTime() + drainSeconds * 1_000_000_000L;
    while ((delivered.get() < total || acked.get() + errors.get() < total) && System.nanoTime() < drainUntil) {
      Thread.sleep(20);
    }
    long end = System.nanoTime();
    List<Long> pids = serverPids.get();
    ProcStats.Usage server = ProcStats.of(pids).minus(server0);
    Map<String, Long> byProcess = ProcStats.ticksByProcess(pids);
    ProcStats.Usage bench = ProcStats.self().minus(bench0);
    users.listener().current = late;

    long lost = 0;
    for (int n = 0; n < total; n++) {
      if (answered.get(n) == 1 && deliveries.get(n) == 0 && sentNanos.get(n) != 0) {
        lost++;
      }
    }
    long[] sorted = latency.sorted();
    double wall = (end - start) / 1e9;
    double sendSeconds = Math.max(seconds, (lastSendAndLag[0] - start) / 1e9);
    Map<String, Long> codes = new TreeMap<>();
    errorCodes.forEach((k, v) -> codes.put(k, v.sum()));
    return new PhaseResult(phaseNo, name, kind, rate, seconds, total, total / sendSeconds, lastSendAndLag[1] / 1e6,
        acked.get(), errors.get(), codes, delivered.get(), duplicates.get(), misdelivered.get(), lost,
        total - delivered.get(), Samples.percentileMs(sorted, 50), Samples.percentileMs(sorted, 99),
        Samples.percentileMs(sorted, 99.9), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0,
        delivered.get() == 0 ? Double.NaN : (double) server.cpuMicros() / delivered.get(),
        server.cpuMicros() / 1e6 / wall, ProcStats.coresByProcess(byProcess0, byProcess, wall),
        bench.cpuMicros() / 1e6 / wall, wall);
  }

  /** Sends every message on its schedule; returns the time of the last send and the largest lag behind schedule. */
  private long[] send(long start) {
    SplittableRandom random = new SplittableRandom(phaseNo * 7919L + rate);
    String padding = "x".repeat(textBytes);
    int count = users.count();
    long maxLag = 0;
    long last = start;
    int n = 0;
    while (n < total) {
      long now = System.nanoTime();
      long due = Math.min(total, (now - start) * rate / 1_000_000_000L + 1);
      while (n < due) {
        int from = random.nextInt(count);
        int to = random.nextInt(count - 1);
        if (to >= from) {
          to++;
        }
        String key = keyPrefix + n;
        recipient[n] = to;
        String frame = "{\"op\":\"send\",\"ref\":\"" + key + "\",\"to\":\"" + users.users()[to] + "\",\"text\":\""
            + key + "|" + padding.substring(0, Math.max(0, textBytes - key.length() - 1)) + "\"}";
        long t0 = System.nanoTime();
        maxLag = Math.max(maxLag, t0 - (start + n * 1_000_000_000L / rate));
        sentNanos.set(n, t0);
        users.sockets()[from].writeTextMessage(frame);
        last = t0;
        n++;
      }
      // About 0.2 ms between batches: fine enough for 100 k msgs/s, coarse enough not to spin a core.
      LockSupport.parkNanos(200_000);
    }
    return new long[] {last, maxLag};
  }

  @Override
  public void onFrame(int user, String op, JsonObject frame) {
    if ("msg".equals(op)) {
      long t1 = System.nanoTime();
      int n = number(frame.getString("text"));
      if (n < 0) {
        late.onFrame(user, op, frame);
        return;
      }
      if (deliveries.getAndIncrement(n) == 0) {
        latency.add((t1 - sentNanos.get(n)) / 1000);
        delivered.incrementAndGet();
      } else {
        duplicates.incrementAndGet();
      }
      if (recipient[n] != user) {
        misdelivered.incrementAndGet();
      }
    } else if ("ack".equals(op)) {
      int n = number(frame.getString("ref"));
      if (n >= 0 && answered.compareAndSet(n, 0, 1)) {
        acked.incrementAndGet();
      }
    } else if ("error".equals(op)) {
      int n = number(frame.getString("ref"));
      if (n >= 0 && answered.compareAndSet(n, 0, 2)) {
        errors.incrementAndGet();
      }
      errorCodes.computeIfAbsent(String.valueOf(frame.getString("code")), k -> new LongAdder()).increment();
    }
  }

  /** The message number of a key or text of this phase; -1 for anything else (a late frame of an earlier phase). */
  private int number(String keyed) {
    if (keyed == null || !keyed.startsWith(keyPrefix)) {
      return -1;
    }
    int end = keyed.indexOf('|');
    try {
      int n = Integer.parseInt(keyed.substring(keyPrefix.length(), end < 0 ? keyed.length() : end));
      return n >= 0 && n < total ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
