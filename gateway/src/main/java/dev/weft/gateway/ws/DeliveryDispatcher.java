package dev.weft.gateway.ws;

import dev.weft.schemas.Delivery;
import dev.weft.schemas.ReceiptDelivery;

/** Pushes a delivery to every local socket of its recipients, but not back to the socket it came from. */
public final class DeliveryDispatcher {

  private final LocalSessions sessions;

  private final dev.weft.gateway.ops.GatewayMetrics metrics;

  public DeliveryDispatcher(LocalSessions sessions, dev.weft.gateway.ops.GatewayMetrics metrics) {
    this.sessions = sessions;
    this.metrics = metrics;
  }

  /** Pushes a receipt to the recipients' local sockets, except the one that reported it. */
  public void dispatch(ReceiptDelivery receipt) {
    String frame = Frames.receipt(receipt);
    for (String user : receipt.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        if (!c.session.equals(receipt.getFromSession())) {
          c.push(frame);
        }
      }
    }
  }

  /** Pushes a typing indicator to the recipients' local sockets, except the one it came from. */
  public void dispatch(dev.weft.schemas.Typing typing) {
    String frame = Frames.typing(typing);
    for (String user : typing.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        if (!c.session.equals(typing.getFromSession())) {
          c.pushEphemeral(frame);
        }
      }
    }
  }

  /** Called on the delivery consumer's thread; each write hops to its socket's event loop. */
  public void dispatch(Delivery delivery) {
    String frame = null;
    int pushed = 0;
    for (String user : delivery.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        if (c.session.equals(delivery.getFromSession())) {
          continue;
        }
        if (frame == null) {
          frame = Frames.delivery(delivery);
        }
        c.pushMessage(delivery.getPartition(), delivery.getSeq(), frame);
        pushed++;
      }
    }
    metrics.delivered(pushed, delivery.getTs());
  }
}
