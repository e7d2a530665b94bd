package dev.weft.gateway.server;

import dev.weft.common.Topics;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ControlRecord;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.InboundMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server API writes, through the gateway's one producer like a client's frames: messages and group changes
 * to the conversation's stream on {@code weft.inbound}, where routers and persisters order and check them as they do
 * every record; orders about sockets and tokens to {@code weft.control}. Each answers once Kafka has the record.
 */
final class ServerWrites {

  private static final Logger log = LoggerFactory.getLogger(ServerWrites.class);
  /** What a record written by the server API names as the sending device and gateway-side session. */
  static final String DEVICE = "server-api";

  /** A record Kafka took: where it is in its conversation. */
  record Written(String conv, String id, long seq, int partition, long ts) {
    JsonObject json() {
      return new JsonObject().put("conv", conv).put("id", id).put("seq", seq).put("partition", partition).put("ts", ts);
    }
  }

  private final KafkaPublisher publisher;
  private final Topics topics;
  private final String gatewayId;
  private final Clock clock;
  private final AvroSerde<InboundMessage> inbound = AvroSerde.inboundMessage();
  private final AvroSerde<ControlRecord> control = AvroSerde.controlRecord();

  ServerWrites(KafkaPublisher publisher, Topics topics, String gatewayId, Clock clock) {
    this.publisher = publisher;
    this.topics = topics;
    this.gatewayId = gatewayId;
    this.clock = clock;
  }

  long now() {
    return clock.millis();
  }

  /** A message ({@code event} null) or group change from {@code from} (a user, or the system), to its stream. */
  Future<Written> toConversation(String conv, String from, List<String> members, String text, GroupEvent event,
      String ref) {
    String id = UUID.randomUUID().toString();
    long ts = clock.millis();
    InboundMessage m = InboundMessage.newBuilder().setId(id).setConv(conv).setFrom(from).setFromDevice(DEVICE)
        .setFromSession("").setRef(ref == null ? "server-" + id : ref).setMembers(members).setTs(ts)
        .setGateway(gatewayId).setText(text).setEvent(event).build();
    return publisher.publish(Vertx.currentContext(), topics.inbound(), conv, inbound.encode(m))
        .map(md -> new Written(conv, id, md.offset(), md.partition(), ts));
  }

  /** An order about a user's sockets or tokens, keyed so that compaction keeps what must stay. */
  Future<Void> order(String key, ControlRecord order) {
    return publisher.publish(Vertx.currentContext(), topics.control(), key, control.encode(order)).mapEmpty();
  }

  /** The answer to a write Kafka did not take: overloaded (retry later) or unavailable (retry). */
  static void failed(RoutingContext ctx, Throwable e) {
    if (e instanceof KafkaPublisher.Overloaded) {
      HttpErrors.send(ctx.response(), 503, "overloaded", "the gateway is overloaded; nothing was written, retry later");
    } else {
      log.warn("Kafka did not take a server API write: {}", e.toString());
      HttpErrors.send(ctx.response(), 503, "unavailable",
          "Kafka did not confirm the write; it may or may not have been written: check before retrying");
    }
  }
}
