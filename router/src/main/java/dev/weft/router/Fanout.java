package dev.weft.router;

import dev.weft.common.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Groups one message's members by the gateways holding their sessions: one {@link Bucket} (delivery topic +
 * recipients) per gateway. The router's one fan-out: messages and group events, receipts and typing indicators each
 * use their own instance on their own thread.
 *
 * <p>Reused for every message by the one routing thread (not thread-safe): buckets and their lists are kept
 * between messages, so the steady state allocates nothing here.
 *
 * <p>A gateway where the sender's only session is the one the message came from gets nothing: that socket
 * already has its ack, and the gateway would push to no one. When the router does not (yet) know the sending
 * session, it delivers as usual, which is always safe.
 */
final class Fanout {

  /** Forget cached buckets past this many gateways ever seen (gateways come and go over months). */
  private static final int MAX_CACHED_GATEWAYS = 4096;

  static final class Bucket {
    final String gateway;
    final String topic;
    final ArrayList<String> recipients = new ArrayList<>();

    private Bucket(String gateway, String topic) {
      this.gateway = gateway;
      this.topic = topic;
    }
  }

  private final SessionTable table;
  private final Topics topics;
  private final HashMap<String, Bucket> byGateway = new HashMap<>();
  private final ArrayList<Bucket> used = new ArrayList<>();
  private final ArrayList<String> offline = new ArrayList<>();

  Fanout(SessionTable table, Topics topics) {
    this.table = table;
    this.topics = topics;
  }

  /**
   * Groups the members of one message; the result is valid until the next call. Buckets come in the order their
   * gateways were first met, recipients in member order.
   */
  List<Bucket> group(List<String> members, String from, String fromSession) {
    for (int i = 0; i < used.size(); i++) {
      used.get(i).recipients.clear();
    }
    used.clear();
    offline.clear();
    if (byGateway.size() > MAX_CACHED_GATEWAYS) {
      byGateway.clear();
    }
    String senderGateway = null;
    for (int m = 0, n = members.size(); m < n; m++) {
      String member = members.get(m);
      SessionTable.Presence p = table.presenceOf(member);
      boolean isSender = member.equals(from);
      if (p.size() == 0) {
        if (!isSender) {
          offline.add(member);
        }
        continue;
      }
      if (isSender && senderGateway == null) {
        senderGateway = table.gatewayOf(fromSession);
      }
      for (int g = 0; g < p.size(); g++) {
        String gateway = p.gateway(g);
        if (isSender && p.sessions(g) == 1 && gateway.equals(senderGateway)) {
          continue; // the sender's only socket there is the sending one
        }
        Bucket b = byGateway.get(gateway);
        if (b == null) {
          b = new Bucket(gateway, topics.deliveries(gateway));
          byGateway.put(gateway, b);
        }
        if (b.recipients.isEmpty()) {
          used.add(b);
        }
        b.recipients.add(member);
      }
    }
    return used;
  }

  /** The members of the last {@link #group} call with no session anywhere, the sender left out; valid until the next. */
  List<String> offline() {
    return offline;
  }
}
