package dev.weft.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One part of the cluster as a child process, with the signals a fault needs: SIGKILL (with every descendant, since
 * mariadbd outlives a JVM killed hard), SIGSTOP and SIGCONT, and SIGTERM for the graceful path. Its output is appended
 * to a log file, so a restarted part writes after its earlier life.
 */
final class Proc {

  private final String name;
  private final Process process;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  private Proc(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /** Starts the process; {@link #awaitReady} waits for a line containing {@code readyText}. */
  static Proc start(String name, List<String> command, Map<String, String> env, Path log, String readyText)
      throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Proc p = new Proc(name, pb.start());
    Thread reader = new Thread(() -> p.pipe(log, readyText), name + "-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private void pipe(Path log, String readyText) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
             StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
      out.println("----- " + name + " started, pid " + process.pid());
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        if (!ready.isDone() && line.contains(readyText)) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // The process closed its output: it is gone, which the exit code reports.
    }
    ready.completeExceptionally(new IOException(name + " exited before it was ready"));
  }

  void awaitReady(long timeoutSeconds, Path log) throws IOException {
    try {
      ready.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + name + " started");
    } catch (Exception e) {
      kill();
      throw new IOException(name + " was not ready within " + timeoutSeconds + " s (" + e.getMessage() + "); see " + log);
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, descendants first, and waits until the process is gone. */
  void kill() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL of the descendant whose command ends with {@code executable} (mariadbd under its JVM). */
  boolean killDescendant(String executable) {
    List<ProcessHandle> matching = process.descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith(executable)).orElse(false)).toList();
    matching.forEach(ProcessHandle::destroyForcibly);
    return !matching.isEmpty();
  }

  /** SIGTERM: a service's shutdown hook drains and stops it. Waits up to {@code seconds} for it to exit. */
  boolean terminate(long seconds) {
    process.destroy();
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void pause() {
    signal("STOP");
  }

  void resume() {
    signal("CONT");
  }

  private void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + sig, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops for good at the end of a run: SIGTERM, then SIGKILL after a deadline, then whatever it left. */
  void stop() {
    if (process.isAlive()) {
      resume();
      List<ProcessHandle> tree = process.descendants().toList();
      if (!terminate(30)) {
        process.destroyForcibly();
      }
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }
}
