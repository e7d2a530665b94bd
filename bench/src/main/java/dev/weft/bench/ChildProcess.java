package dev.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A server the bench starts as a child JVM, and stops, whatever happens: a clean stop (SIGTERM, so its shutdown hook
 * runs), then after a deadline a forced one, and then every descendant it left (mariadbd outlives a JVM killed hard).
 * Its output goes to a log file; {@link #start} returns once a line containing the ready text appears.
 */
final class ChildProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** A {@code java} command line with the JVM that runs the bench, so the child runs on the same JDK. */
  static List<String> java(String classpath, String mainClass, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    return command;
  }

  static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log, String readyText,
      long timeoutSeconds) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process process = pb.start();
    ChildProcess child = new ChildProcess(name, process, log);
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> pipe(process, log, readyText, ready), name + "-output");
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(timeoutSeconds, TimeUnit.SECONDS);
      return child;
    } catch (TimeoutException e) {
      child.close();
      throw new IOException(name + " printed no '" + readyText + "' within " + timeoutSeconds + " s; see " + log);
    } catch (Exception e) {
      child.close();
      throw new IOException(name + " stopped before it was ready (exit " + exitCode(process) + "); see " + log, e);
    }
  }

  private static void pipe(Process process, Path log, String readyText, CompletableFuture<String> ready) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        if (!ready.isDone() && line.contains(readyText)) {
          ready.complete(line);
        }
      }
    } catch (IOException e) {
      // The process closed its output: it is gone, which the exit below reports.
    }
    ready.completeExceptionally(new IllegalStateException("output ended"));
  }

  private static String exitCode(Process p) {
    try {
      return p.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "none yet";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  long pid() {
    return process.pid();
  }

  /** The child and every live descendant: the processes whose CPU and memory are the server's. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    if (process.isAlive()) {
      pids.add(process.pid());
      process.descendants().filter(ProcessHandle::isAlive).forEach(h -> pids.add(h.pid()));
    }
    return pids;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        System.err.println("weft bench: " + name + " did not stop within 30 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    Stream.concat(descendants.stream(), process.descendants()).filter(ProcessHandle::isAlive)
        .forEach(ProcessHandle::destroyForcibly);
  }
}
