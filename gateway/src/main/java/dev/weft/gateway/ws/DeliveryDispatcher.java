package dev.weft.gateway.ws;

import dev.weft.schemas.Delivery;
import dev.weft.schemas.ReceiptDelivery;

/** Pushes a delivery to every local socket of its recipients, but not back to the socket it came from. */
public final class DeliveryDispatcher {

  private final LocalSessions sessions;

  private final dev.weft.gateway.ops.GatewayMetrics metrics;

  public DeliveryDispatcher(LocalSessions sessions, dev.weft.gateway.ops.GatewayMetrics metrics,
      dev.weft.common.PushSettings push) {
    this.sessions = sessions;
    this.metrics = metrics;
    this.push = push;
  }

  private final dev.weft.common.PushSettings push;

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

  /**
   * A block or unblock: every local connection of either user learns it (their sends and group adds check it); only
   * the blocker's other sockets are told, with a {@code block} frame: the blocked user is not.
   */
  private void dispatchBlock(Delivery d) {
    String frame = Frames.block(d);
    String conv = d.getConv();
    String blocker = d.getFrom();
    boolean blocked = d.getBlock().getBlocked();
    for (String user : d.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        c.context.runOnContext(v -> c.blocks.delivered(conv, d.getSeq(), blocker, blocked));
        if (user.equals(blocker) && !c.session.equals(d.getFromSession())) {
          c.pushMessage(d.getPartition(), d.getSeq(), frame, null);
        }
      }
    }
  }

  /** Called on the delivery consumer's thread; each write hops to its socket's event loop. */
  public void dispatch(Delivery delivery) {
    if (delivery.getBlock() != null) {
      dispatchBlock(delivery);
      return;
    }
    String frame = null;
    dev.weft.gateway.push.UnconfirmedMessages.Message message = null;
    int pushed = 0;
    for (String user : delivery.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        if (c.session.equals(delivery.getFromSession())) {
          continue;
        }
        if (frame == null) {
          frame = Frames.delivery(delivery);
          // Messages only: a membership event's or an edit's members learn of it at their next catch-up, as offline.
          if (push.enabled() && delivery.getEvent() == null && delivery.getAction() == null) {
            message = new dev.weft.gateway.push.UnconfirmedMessages.Message(delivery.getConv(), delivery.getId(),
                delivery.getSeq(), delivery.getFrom(), delivery.getTs(), push.preview(delivery.getText()));
          }
        }
        c.pushMessage(delivery.getPartition(), delivery.getSeq(), frame, message);
        pushed++;
      }
    }
    metrics.delivered(pushed, delivery.getTs());
  }
}
