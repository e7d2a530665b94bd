package dev.weft.gateway.kafka;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GatewayHeartbeat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the routers this gateway is alive, every heartbeat interval. When the heartbeats stop (the
 * process died, or lost Kafka), routers expire its sessions, so nothing keeps routing to it.
 */
public final class HeartbeatPublisher {

  private static final Logger log = LoggerFactory.getLogger(HeartbeatPublisher.class);

  private final KafkaPublisher publisher;
  private final Context context;
  private final String topic;
  private final String gatewayId;
  private final IntSupplier sessions;
  private final AvroSerde<GatewayHeartbeat> serde = AvroSerde.gatewayHeartbeat();
  private long timer = -1;
  private volatile long lastAckedNanos = System.nanoTime();

  public HeartbeatPublisher(KafkaPublisher publisher, Context context, String topic, String gatewayId, IntSupplier sessions) {
    this.publisher = publisher;
    this.context = context;
    this.topic = topic;
    this.gatewayId = gatewayId;
    this.sessions = sessions;
  }

  /** Beats now and every {@code intervalMs}. */
  public void start(long intervalMs) {
    context.runOnContext(v -> {
      beat();
      timer = context.owner().setPeriodic(intervalMs, id -> beat());
    });
  }

  private void beat() {
    GatewayHeartbeat hb = GatewayHeartbeat.newBuilder().setGateway(gatewayId).setTs(System.currentTimeMillis())
        .setSessions(sessions.getAsInt()).build();
    publisher.publish(context, topic, gatewayId, serde.encode(hb))
        .onSuccess(md -> lastAckedNanos = System.nanoTime())
        .onFailure(e -> log.warn("heartbeat not written: {}", e.toString()));
  }

  /** True when Kafka took a heartbeat within the given time: the gateway can reach Kafka. Any thread. */
  public boolean kafkaAnsweredWithin(long millis) {
    return System.nanoTime() - lastAckedNanos < millis * 1_000_000L;
  }

  /** Stops beating and says the gateway left cleanly (a tombstone). */
  public Future<?> stop() {
    return Future.future(p -> context.runOnContext(v -> {
      context.owner().cancelTimer(timer);
      publisher.publish(context, topic, gatewayId, null).onComplete(r -> p.complete());
    }));
  }
}
