package dev.weft.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full collections and heap occupancy of the server JVMs, through {@code jcmd} of the JDK that runs the bench.
 *
 * <p>Why: a JVM's RSS is mostly heap it has touched, and a heap grown by the message phases has room for 10,000 idle
 * connections without touching a new page, so RSS alone says a connection costs nearly nothing. Reading after a full
 * collection lets G1 give back what it can, and the heap used after it is what the connections really hold.
 */
final class Jvms {

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private Jvms() {}

  /** Runs a full collection in every JVM among {@code pids}, one after another; others (mariadbd) are skipped. */
  static void collect(List<Long> pids) {
    for (long pid : pids) {
      if (isJava(pid)) {
        jcmd(pid, "GC.run");
      }
    }
  }

  /** Heap in use of every JVM among {@code pids}, in KiB (0 where jcmd cannot tell). */
  static long heapUsedKb(List<Long> pids) {
    long total = 0;
    for (long pid : pids) {
      if (isJava(pid)) {
        // The first "used" of GC.heap_info is the heap's; Metaspace's follows.
        Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
        if (m.find()) {
          total += Long.parseLong(m.group(1));
        }
      }
    }
    return total;
  }

  private static boolean isJava(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim().equals("java");
    } catch (IOException e) {
      return false;
    }
  }

  private static String jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
