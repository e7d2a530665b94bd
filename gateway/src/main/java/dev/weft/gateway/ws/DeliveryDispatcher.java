package dev.weft.gateway.ws;

import dev.weft.schemas.Delivery;

/** Pushes a delivery to every local socket of its recipients, but not back to the socket it came from. */
public final class DeliveryDispatcher {

  private final LocalSessions sessions;

  public DeliveryDispatcher(LocalSessions sessions) {
    this.sessions = sessions;
  }

  /** Called on the delivery consumer's thread; each write hops to its socket's event loop. */
  public void dispatch(Delivery delivery) {
    String frame = null;
    for (String user : delivery.getRecipients()) {
      for (Connection c : sessions.of(user)) {
        if (c.session.equals(delivery.getFromSession())) {
          continue;
        }
        if (frame == null) {
          frame = Frames.msg(delivery);
        }
        c.push(frame);
      }
    }
  }
}
