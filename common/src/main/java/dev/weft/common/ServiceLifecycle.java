package dev.weft.common;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service started, in order, so that it is stopped in reverse: by {@link #close()} when the service stops, or
 * when a later part fails to start (nothing is then left running). Stopping shares one deadline: each part gets what
 * the parts before it left (once it has passed, a short grace each), and one that overruns is named in the log and
 * left behind, so a hung client never keeps a pod from ending. Wiring thread only.
 */
public final class ServiceLifecycle implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceLifecycle.class);

  /** What a part still gets once the deadline has passed: closing it at all beats leaving its threads and sockets. */
  private static final Duration GRACE = Duration.ofSeconds(1);

  private record Part(String name, AutoCloseable part) {}

  private final String service;
  private final Duration deadline;
  private final Deque<Part> started = new ArrayDeque<>();
  private boolean closed;

  public ServiceLifecycle(String service, Duration deadline) {
    this.service = service;
    this.deadline = deadline;
  }

  /** Registers a part that is running (or holds resources) now; returns it. */
  public <T extends AutoCloseable> T started(String name, T part) {
    started.push(new Part(name, part));
    return part;
  }

  /**
   * Runs one step of starting; when it throws, everything started so far is stopped in reverse and the failure is
   * thrown on, so that a service that cannot start leaves nothing behind.
   */
  public <T> T starting(String what, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException | Error e) {
      log.warn("{}: {} failed ({}); stopping what had started", service, what, e.toString());
      close();
      throw e;
    }
  }

  /** Stops every part, newest first, within the deadline. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long end = System.nanoTime() + deadline.toNanos();
    List<Part> order = new ArrayList<>(started);
    started.clear();
    boolean late = false;
    for (Part p : order) {
      long left = end - System.nanoTime();
      if (left <= 0 && !late) {
        late = true;
        log.error("{}: stop deadline of {} passed; giving {} and what started before it {} each", service, deadline,
            p.name(), GRACE);
      }
      stop(p, Math.max(left, GRACE.toNanos()));
    }
  }

  /** Closes one part on a thread of its own, so an overrun can be given up on. */
  private void stop(Part p, long leftNanos) {
    Thread t = new Thread(() -> {
      try {
        p.part().close();
      } catch (Exception e) {
        log.warn("{}: stopping {}: {}", service, p.name(), e.toString());
      }
    }, "weft-stop-" + p.name());
    t.setDaemon(true);
    t.start();
    try {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      log.error("{}: {} did not stop within the stop deadline of {}; left behind", service, p.name(), deadline);
    }
  }
}
