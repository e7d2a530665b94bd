package dev.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of processes, read from Linux's /proc.
 *
 * <p>CPU is utime + stime, fields 14 and 15 of {@code /proc/<pid>/stat}, in clock ticks (USER_HZ, 100 per second on
 * every Linux this runs on); RSS is {@code VmRSS} of {@code /proc/<pid>/status}. A process that has gone counts as 0,
 * so a phase's difference shows it rather than failing the run.
 */
final class ProcStats {

  /** Microseconds per clock tick (USER_HZ = 100). */
  static final long MICROS_PER_TICK = 10_000;

  /** A reading of a set of processes. */
  record Usage(long cpuTicks, long rssKb) {
    Usage minus(Usage before) {
      return new Usage(cpuTicks - before.cpuTicks, rssKb - before.rssKb);
    }

    long cpuMicros() {
      return cpuTicks * MICROS_PER_TICK;
    }
  }

  private ProcStats() {}

  static Usage of(List<Long> pids) {
    long ticks = 0;
    long rss = 0;
    for (long pid : pids) {
      ticks += cpuTicks(pid);
      rss += rssKb(pid);
    }
    return new Usage(ticks, rss);
  }

  /** CPU ticks of each process, by "name(pid)" (the name from /proc/<pid>/comm), to tell the JVM's share from the database's. */
  static java.util.Map<String, Long> ticksByProcess(List<Long> pids) {
    java.util.Map<String, Long> m = new java.util.TreeMap<>();
    for (long pid : pids) {
      m.put(comm(pid) + "(" + pid + ")", cpuTicks(pid));
    }
    return m;
  }

  /** Cores each process used between two {@link #ticksByProcess} readings {@code seconds} apart. */
  static java.util.Map<String, Double> coresByProcess(java.util.Map<String, Long> before, java.util.Map<String, Long> after,
      double seconds) {
    java.util.Map<String, Double> m = new java.util.TreeMap<>();
    after.forEach((k, v) -> m.put(k, (v - before.getOrDefault(k, 0L)) * MICROS_PER_TICK / 1e6 / seconds));
    return m;
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (IOException e) {
      return "gone";
    }
  }

  static Usage self() {
    return of(List.of(ProcessHandle.current().pid()));
  }

  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Field 2, the command, is in parentheses and may hold spaces: count fields from the last ')'. After it come
      // field 3 (state) onwards, so utime (14) and stime (15) are the 12th and 13th.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
