package dev.weft.chaos;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop traffic on a thread of its own: message n is due at start + n / rate, from a random user to a random other
 * user, whether or not anything is up. A user whose socket is down keeps the message in its outbox, as a real client
 * does, so a fault never stops the schedule.
 */
final class Traffic implements AutoCloseable {

  private final List<ChaosUser> users;
  private final Ledger ledger;
  private final int rate;
  private final Thread thread;
  private volatile boolean stop;
  private volatile int sent;

  Traffic(List<ChaosUser> users, Ledger ledger, int rate) {
    this.users = users;
    this.ledger = ledger;
    this.rate = rate;
    this.thread = new Thread(this::run, "chaos-traffic");
  }

  void start() {
    thread.start();
  }

  int sent() {
    return sent;
  }

  private void run() {
    SplittableRandom random = new SplittableRandom(14);
    int count = users.size();
    long start = System.nanoTime();
    int n = 0;
    while (!stop && n < ledger.capacity) {
      long due = Math.min(ledger.capacity, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
      while (n < due) {
        int from = random.nextInt(count);
        int to = random.nextInt(count - 1);
        if (to >= from) {
          to++;
        }
        ledger.sent(n, from, to, System.nanoTime());
        users.get(from).send(n);
        n++;
        sent = n;
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }
}
