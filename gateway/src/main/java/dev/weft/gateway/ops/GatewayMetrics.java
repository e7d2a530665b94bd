package dev.weft.gateway.ops;

import dev.weft.common.groups.GroupDirectory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/** The gateway's own meters; docs/operations.md lists each. Any thread. */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry;
  private final Counter opened;
  private final Counter published;
  private final Counter delivered;
  private final Timer deliveryLatency;
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesOut = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> groupLookups = new ConcurrentHashMap<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  public GatewayMetrics(PrometheusMeterRegistry registry, IntSupplier connections) {
    this.registry = registry;
    Gauge.builder("weft.gateway.connections", connections::getAsInt).description("open WebSocket connections").register(registry);
    Gauge.builder("weft.gateway.draining", () -> draining.get() ? 1 : 0).description("1 while the gateway drains").register(registry);
    opened = Counter.builder("weft.gateway.connections.opened").description("WebSocket connections accepted").register(registry);
    published = Counter.builder("weft.gateway.messages.published").description("messages and group events Kafka acknowledged")
        .register(registry);
    delivered = Counter.builder("weft.gateway.messages.delivered").description("msg and event frames pushed to sockets")
        .register(registry);
    // Buckets, not client-side percentiles: Prometheus can then aggregate them across gateways.
    deliveryLatency = Timer.builder("weft.delivery.latency")
        .description("accepted by a gateway to pushed by the recipient's gateway (clocks of two gateways)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void opened() {
    opened.increment();
  }

  /** An upgrade refused before the socket opened, by a fixed set of reasons (the error code). */
  public void refused(String reason) {
    refused.computeIfAbsent(reason, r -> Counter.builder("weft.gateway.connections.refused").tag("reason", r)
        .description("WebSocket upgrades refused by a limit, by reason").register(registry)).increment();
  }

  public void closed(String reason) {
    closed.computeIfAbsent(reason, r -> Counter.builder("weft.gateway.connections.closed").tag("reason", r)
        .description("WebSocket connections ended, by reason").register(registry)).increment();
  }

  public void frameIn(String op) {
    framesIn.computeIfAbsent(op, o -> Counter.builder("weft.gateway.frames.in").tag("op", o)
        .description("frames received from clients, by op").register(registry)).increment();
  }

  public void frameOut(String op) {
    framesOut.computeIfAbsent(op, o -> Counter.builder("weft.gateway.frames.out").tag("op", o)
        .description("frames sent to clients, by op").register(registry)).increment();
  }

  public void error(String code) {
    errors.computeIfAbsent(code, c -> Counter.builder("weft.errors").tag("code", c)
        .description("error frames sent to clients, by code").register(registry)).increment();
  }

  /** A group lookup that could not be answered from what the gateway knew: {@code answer} says how it was decided. */
  public void groupLookup(String answer) {
    groupLookups.computeIfAbsent(answer, a -> Counter.builder("weft.gateway.group.lookups").tag("answer", a)
        .description("group membership lookups that missed at first, by how they were answered").register(registry)).increment();
  }

  /**
   * Counts the group directory's end-offset checks, as the directory itself counts them. Micrometer holds the object
   * of a function counter weakly, so it is the directory (which lives as long as the gateway), never a lambda.
   */
  public void bindGroupDirectory(GroupDirectory groups) {
    FunctionCounter.builder("weft.gateway.group.catchup.checks", groups, GroupDirectory::catchUpChecks)
        .description("times the gateway's group directory asked the broker for the groups topic's end").register(registry);
  }

  /** How many users' memberships the gateway holds, and how many groups that makes. */
  public void bindLoadedUsers(dev.weft.gateway.groups.LoadedUsers users, GroupDirectory groups) {
    Gauge.builder("weft.gateway.member.users", users, dev.weft.gateway.groups.LoadedUsers::size)
        .description("users whose group memberships the gateway holds: those with a socket or a request here")
        .register(registry);
    Gauge.builder("weft.gateway.groups", groups, GroupDirectory::size)
        .description("groups the gateway holds: those with a current member among its users").register(registry);
  }

  /** How many users' presence the gateway holds: those its clients follow. */
  public void bindPresence(IntSupplier followed) {
    Gauge.builder("weft.gateway.presence.users", followed::getAsInt)
        .description("users whose presence the gateway holds: those a local socket follows").register(registry);
  }

  /** How many group ids the gateway holds as unknown (its negative cache). */
  public void unknownGroups(IntSupplier size) {
    Gauge.builder("weft.gateway.group.unknown", size::getAsInt)
        .description("group ids looked up in vain lately, answered not_member at once").register(registry);
  }

  public void published() {
    published.increment();
  }

  /** One delivery record pushed to {@code sockets} sockets, accepted at {@code acceptedAtMillis}. */
  public void delivered(int sockets, long acceptedAtMillis) {
    if (sockets > 0) {
      delivered.increment(sockets);
      deliveryLatency.record(Math.max(0, System.currentTimeMillis() - acceptedAtMillis), TimeUnit.MILLISECONDS);
    }
  }

  public void draining(boolean on) {
    draining.set(on);
  }

  public boolean draining() {
    return draining.get();
  }
}
