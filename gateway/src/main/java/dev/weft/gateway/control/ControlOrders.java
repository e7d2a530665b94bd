package dev.weft.gateway.control;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.LogSafe;
import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ControlKind;
import dev.weft.schemas.ControlRecord;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API's orders ({@code weft.control}), read whole by every gateway: revocations are kept in
 * {@link RevokedTokens}, and each order closes the sockets it is about, wherever they are. A gateway that starts loads
 * the topic before it listens, so the revocations hold from its first socket on; the disconnects it loads find no
 * socket to close.
 */
public final class ControlOrders implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlOrders.class);

  /** What an order does to this gateway's sockets. Called on the view's thread. */
  public interface Sockets {
    void disconnect(String user, String device, long beforeMs);

    void revoked(String user, long beforeMs);
  }

  private final CompactedTopicView view;
  private final RevokedTokens revoked;
  private final AvroSerde<ControlRecord> serde = AvroSerde.controlRecord();
  private volatile Sockets sockets = new Sockets() {
    @Override
    public void disconnect(String user, String device, long beforeMs) {}

    @Override
    public void revoked(String user, long beforeMs) {}
  };

  public ControlOrders(KafkaSettings kafka, String clientId, RevokedTokens revoked) {
    this.revoked = revoked;
    this.view = new CompactedTopicView(kafka.topics().control(), "gateway-control",
        new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null)), new CompactedTopicView.Sink() {
          @Override
          public void apply(ConsumerRecord<String, byte[]> record) {
            ControlOrders.this.apply(record);
          }

          @Override
          public void drop(int partition) {
            // never released: every gateway needs every order
          }
        });
  }

  /** Who closes the sockets: set before {@link #start}'s orders can find any. */
  public void onOrders(Sockets sockets) {
    this.sockets = sockets;
  }

  /** Loads every order, then follows the topic. Blocking. */
  public void start(Duration timeout) {
    view.startAll(timeout, () -> log.info("control orders loaded: {} revocations in force", revoked.size()));
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    ControlRecord order = dev.weft.common.ControlRecords.read(r, serde, log);
    if (order == null) {
      return;
    }
    if (order.getKind() == ControlKind.REVOKE || order.getKind() == ControlKind.ERASE) {
      // An erased user's tokens are refused like revoked ones, for as long as any can be valid.
      revoked.revoke(order.getUser(), order.getBefore());
      sockets.revoked(order.getUser(), order.getBefore());
    } else if (order.getKind() == ControlKind.DISCONNECT) {
      sockets.disconnect(order.getUser(), order.getDevice(), order.getBefore());
    } else {
      log.warn("skipping a control order of a kind this gateway does not know, for {}", LogSafe.of(order.getUser()));
    }
  }

  @Override
  public void close() {
    view.close();
  }
}
