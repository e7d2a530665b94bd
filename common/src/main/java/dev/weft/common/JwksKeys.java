package dev.weft.common;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An identity provider's public signing keys, by {@code kid}, read from its JWKS URL and held in memory.
 *
 * <p>Lookups never block and never do I/O: they run on a gateway's event loop. The document is read on one background
 * thread of this class's own, every {@link JwtSettings.JwksSettings#refreshInterval()}, and early when a token names
 * a {@code kid} that is not held (at most once per {@link JwtSettings.JwksSettings#minRefetchInterval()}). That token
 * is refused meanwhile; its client's next try, once the re-read is in, is accepted. A read that fails keeps the last
 * good keys: an unreachable provider must not log everyone out, and every token still expires within
 * WEFT_JWT_MAX_LIFETIME_SECONDS. A document that reads well replaces the keys whole, so a removed key stops verifying.
 *
 * <p>Only keys a verifier may use are kept: {@code use} absent or {@code sig}, {@code alg} absent or matching, a
 * {@code kid}; RSA of at least 2048 bits (RS256), EC on P-256 (ES256). Parsing and matching are nimbus-jose-jwt's.
 */
public final class JwksKeys implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

  /** The largest JWKS document read: a real one is a few KiB; a bigger answer is a misconfiguration or an attack. */
  static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
  /** Attempts of the first read at start, one second apart, to ride out a DNS or network blip. */
  private static final int START_ATTEMPTS = 3;

  private static final JWKMatcher RSA = new JWKMatcher.Builder().keyType(KeyType.RSA).keyUses(KeyUse.SIGNATURE, null)
      .algorithms(JWSAlgorithm.RS256, null).minKeySize(2048).withKeyIDOnly(true).build();
  private static final JWKMatcher EC = new JWKMatcher.Builder().keyType(KeyType.EC).curve(Curve.P_256)
      .keyUses(KeyUse.SIGNATURE, null).algorithms(JWSAlgorithm.ES256, null).withKeyIDOnly(true).build();

  private final JwtSettings.JwksSettings settings;
  private final DefaultResourceRetriever retriever;
  private final ScheduledExecutorService executor;
  private final LongSupplier nanoTime;
  private final Clock clock;
  private final AtomicBoolean refetchQueued = new AtomicBoolean();
  private final AtomicLong fetchesOk = new AtomicLong();
  private final AtomicLong fetchesFailed = new AtomicLong();
  private volatile Snapshot current = new Snapshot(Map.of(), Map.of(), null);
  /** When the last read started, successful or not: the early re-read is rate-limited from it. */
  private volatile long lastFetchNanos;

  private record Snapshot(Map<String, RSAPublicKey> rsa, Map<String, ECPublicKey> ec, Instant readAt) {
    int size() {
      return rsa.size() + ec.size();
    }
  }

  private JwksKeys(JwtSettings.JwksSettings settings, Clock clock, LongSupplier nanoTime) {
    this.settings = settings;
    this.clock = clock;
    this.nanoTime = nanoTime;
    int timeout = (int) settings.timeout().toMillis();
    this.retriever = new DefaultResourceRetriever(timeout, timeout, MAX_DOCUMENT_BYTES);
    // Daemon: the thread holds nothing that must be finished, and a service failing to start must still exit.
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weft-jwks");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reads the keys once and starts refreshing them in the background. Blocking: call it before the service says it is
   * ready, never on an event loop.
   *
   * @throws IllegalStateException naming the URL and the reason, when the document cannot be read or holds no usable
   *     key: a gateway that cannot verify any token must not start
   */
  public static JwksKeys start(JwtSettings.JwksSettings settings) {
    return start(settings, Clock.systemUTC(), System::nanoTime);
  }

  static JwksKeys start(JwtSettings.JwksSettings settings, Clock clock, LongSupplier nanoTime) {
    JwksKeys keys = new JwksKeys(settings, clock, nanoTime);
    Exception last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS && keys.current.readAt() == null; attempt++) {
      try {
        keys.fetch();
      } catch (IOException | ParseException | RuntimeException e) {
        last = e;
        if (attempt < START_ATTEMPTS) {
          sleepQuietly(1_000);
        }
      }
    }
    if (keys.current.readAt() == null) {
      keys.close();
      throw new IllegalStateException("could not read the JWKS at " + settings.url() + " (WEFT_JWT_JWKS_URL) after "
          + START_ATTEMPTS + " attempts: " + last, last);
    }
    if (keys.current.size() == 0) {
      keys.close();
      throw new IllegalStateException("the JWKS at " + settings.url() + " (WEFT_JWT_JWKS_URL) holds no usable signing key"
          + " (RSA of 2048 bits or more, or EC P-256, each with a kid and use sig)");
    }
    long every = settings.refreshInterval().toMillis();
    keys.executor.scheduleWithFixedDelay(keys::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
    log.info("JWKS from {}: {} signing keys, re-read every {} s", settings.url(), keys.current.size(),
        settings.refreshInterval().toSeconds());
    return keys;
  }

  /** The RS256 key with this kid, or null (and an early re-read is asked for). Never blocks. */
  public RSAPublicKey rsa(String kid) {
    return orRefetch(current.rsa().get(kid));
  }

  /** The ES256 key with this kid, or null (and an early re-read is asked for). Never blocks. */
  public ECPublicKey ec(String kid) {
    return orRefetch(current.ec().get(kid));
  }

  private <K> K orRefetch(K key) {
    if (key == null) {
      refetchSoon();
    }
    return key;
  }

  /** Queues one early re-read unless one is queued or the last read began less than the minimum interval ago. */
  private void refetchSoon() {
    if (nanoTime.getAsLong() - lastFetchNanos < settings.minRefetchInterval().toNanos()) {
      return;
    }
    if (refetchQueued.compareAndSet(false, true)) {
      try {
        executor.execute(() -> {
          try {
            refreshQuietly();
          } finally {
            refetchQueued.set(false);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        refetchQueued.set(false);
      }
    }
  }

  private void refreshQuietly() {
    try {
      fetch();
    } catch (IOException | ParseException | RuntimeException e) {
      fetchesFailed.incrementAndGet();
      log.warn("could not re-read the JWKS at {}: {}; keeping the {} keys read at {}, next try in {} s", settings.url(),
          e.toString(), current.size(), current.readAt(), settings.refreshInterval().toSeconds());
    }
  }

  private void fetch() throws IOException, ParseException {
    lastFetchNanos = nanoTime.getAsLong();
    JWKSet set = JWKSet.parse(retriever.retrieveResource(settings.url().toURL()).getContent());
    Snapshot before = current;
    current = snapshot(set);
    fetchesOk.incrementAndGet();
    if (before.readAt() != null && (!before.rsa().keySet().equals(current.rsa().keySet())
        || !before.ec().keySet().equals(current.ec().keySet()))) {
      log.info("JWKS from {} changed: RS256 kids {}, ES256 kids {}", settings.url(), current.rsa().keySet(),
          current.ec().keySet());
    }
    if (current.size() == 0) {
      log.warn("the JWKS at {} now holds no usable signing key: every JWKS token is refused", settings.url());
    }
  }

  private Snapshot snapshot(JWKSet set) {
    Map<String, RSAPublicKey> rsa = new HashMap<>();
    Map<String, ECPublicKey> ec = new HashMap<>();
    try {
      for (JWK k : new JWKSelector(RSA).select(set)) {
        rsa.putIfAbsent(k.getKeyID(), k.toRSAKey().toRSAPublicKey());
      }
      for (JWK k : new JWKSelector(EC).select(set)) {
        ec.putIfAbsent(k.getKeyID(), k.toECKey().toECPublicKey());
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException("a key in the JWKS is not a valid public key: " + e.getMessage(), e);
    }
    return new Snapshot(Map.copyOf(rsa), Map.copyOf(ec), clock.instant());
  }

  /**
   * {@code weft_jwks_keys} (usable keys held), {@code weft_jwks_age_seconds} (since the last good read) and
   * {@code weft_jwks_reads_total{outcome=ok|failed}}.
   */
  public void bindMetrics(MeterRegistry registry) {
    Gauge.builder("weft.jwks.keys", this, k -> k.current.size()).register(registry);
    Gauge.builder("weft.jwks.age.seconds", this, k -> k.current.readAt() == null ? Double.NaN
        : (k.clock.millis() - k.current.readAt().toEpochMilli()) / 1000.0).register(registry);
    FunctionCounter.builder("weft.jwks.reads", fetchesOk, AtomicLong::get).tag("outcome", "ok").register(registry);
    FunctionCounter.builder("weft.jwks.reads", fetchesFailed, AtomicLong::get).tag("outcome", "failed").register(registry);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
