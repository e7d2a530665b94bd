package dev.weft.gateway.ws;

import java.security.SecureRandom;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A small property-test harness on plain JUnit: a property is checked against {@link #TRIES} generated inputs, each
 * from its own seed, so a failure names the seed that reproduces it. {@code -Dweft.fuzz.tries=N} runs longer (that is
 * what {@code ./weft fuzz} does); {@code -Dweft.fuzz.seed=S} replays a run.
 *
 * <p>Not jqwik: from 1.10 on its maintainers ask that it not be used by AI coding agents, and this project is partly
 * written by them (see docs/security.md, "The hostile-input corpus and the fuzzer").
 */
final class Fuzz {

  static final int TRIES = Integer.getInteger("weft.fuzz.tries", 1000);
  static final long SEED = Long.getLong("weft.fuzz.seed", new SecureRandom().nextLong());

  /** What a client-visible message must never hold: a stack frame, an exception's name, a package-qualified name. */
  static final Pattern LEAK = Pattern.compile(
      "\\bat [a-z]\\w*(\\.\\w+)+\\(|Exception|Throwable|\\b(java|javax|io\\.vertx|io\\.netty|com\\.fasterxml|com\\.auth0|org\\.apache|dev\\.weft)\\.[a-z]");

  interface Property<T> {
    void check(T input) throws Exception;
  }

  private Fuzz() {}

  static <T> void forAll(String name, Function<Random, T> generator, Property<T> property) {
    Random seeds = new Random(SEED ^ name.hashCode());
    for (int i = 0; i < TRIES; i++) {
      long seed = seeds.nextLong();
      T input = generator.apply(new Random(seed));
      try {
        property.check(input);
      } catch (Throwable e) {
        throw new AssertionError(name + ": try " + (i + 1) + " of " + TRIES + " failed (replay with -Dweft.fuzz.seed="
            + SEED + "); input: " + show(input), e);
      }
    }
  }

  static String show(Object input) {
    String s = String.valueOf(input);
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(600).forEach(cp -> {
      if (cp < 0x20 || cp > 0x7e) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return s.length() > 600 ? b + "... (" + s.length() + " chars)" : b.toString();
  }

  static void assertNoLeak(String message) {
    if (message != null && LEAK.matcher(message).find()) {
      throw new AssertionError("a client-visible message leaks implementation details: " + message);
    }
  }

  // ---- generators ----

  private static final String[] ODD = {"\u0000", "\u0007", "\u001f", "\u007f", "\u00a0", "\u200b", "\u200d", "\u202e",
      "\u2028", "\ufeff", "\ufffd", "\ud800", "\udc00", "\ud83d\ude00", "\u0301", "\\", "\"", "'", "%", ".", ":", "=",
      "+", "/", "-", "_", " ", "\t", "\n", "{", "}", "[", "]", ","};

  /** A string, mostly short, from ASCII, JSON's own characters and Unicode's awkward corners (lone surrogates too). */
  static String string(Random r) {
    int n = r.nextInt(10) < 8 ? r.nextInt(12) : r.nextInt(300);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(4)) {
        case 0 -> b.append(ODD[r.nextInt(ODD.length)]);
        case 1 -> b.append((char) ('0' + r.nextInt(10)));
        default -> b.append((char) (0x21 + r.nextInt(0x5e)));
      }
    }
    return b.toString();
  }

  /** A few random edits of a string: characters replaced, dropped, inserted; a tail cut; a part doubled. */
  static String mutate(Random r, String s) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length());
      switch (r.nextInt(5)) {
        case 0 -> { if (b.length() > 0) { b.deleteCharAt(at); } }
        case 1 -> b.insert(at, ODD[r.nextInt(ODD.length)]);
        case 2 -> { if (b.length() > 0) { b.setCharAt(at, (char) (0x20 + r.nextInt(0x60))); } }
        case 3 -> b.setLength(at);
        default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(8))));
      }
    }
    return b.toString();
  }

  static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }
}
