package dev.weft.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factory that names its threads, so a thread dump says who is who. */
public final class NamedThreads implements ThreadFactory {

  private final String prefix;
  private final AtomicInteger next = new AtomicInteger();

  public NamedThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + "-" + next.incrementAndGet());
    t.setDaemon(false);
    return t;
  }
}
