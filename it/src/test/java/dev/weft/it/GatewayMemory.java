package dev.weft.it;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory the services in this JVM (the gateway among them) hold and have allocated: the tests
 * run every service as a library call, so the gateway's heap is this JVM's heap.
 *
 * <p>Heap used after a GC shows what is kept; bytes allocated by the event-loop threads show what
 * was inflated and thrown away again, which a GC would hide. Direct memory is read twice: the JDK's
 * "direct" pool counts {@code ByteBuffer.allocateDirect}, Netty's counter its own cleaner-free buffers.
 */
record GatewayMemory(long heapUsedAfterGc, long directPool, long nettyDirect, Map<Long, Long> eventLoopAllocated) {

  private static final long MIB = 1024 * 1024;

  static GatewayMemory read() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return new GatewayMemory(heap, direct, io.netty.util.internal.PlatformDependent.usedDirectMemory(), eventLoopAllocations());
  }

  /** Bytes allocated on the heap by Vert.x event-loop threads since {@code before}, summed over the threads. */
  long eventLoopAllocatedSince(GatewayMemory before) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : eventLoopAllocated.entrySet()) {
      sum += e.getValue() - before.eventLoopAllocated.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  String describeSince(GatewayMemory before) {
    return String.format("heap after GC %+.1f MiB, direct pool %+.1f MiB, Netty direct %+.1f MiB, allocated by event loops %.1f MiB",
        (double) (heapUsedAfterGc - before.heapUsedAfterGc) / MIB, (double) (directPool - before.directPool) / MIB,
        (double) (nettyDirect - before.nettyDirect) / MIB, (double) eventLoopAllocatedSince(before) / MIB);
  }

  private static Map<Long, Long> eventLoopAllocations() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Map<Long, Long> allocated = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("vert.x-eventloop-thread-")) {
        allocated.put(t.getId(), threads.getThreadAllocatedBytes(t.getId()));
      }
    }
    return allocated;
  }
}
