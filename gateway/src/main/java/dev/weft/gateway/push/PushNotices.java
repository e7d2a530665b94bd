package dev.weft.gateway.push;

import dev.weft.common.LogSafe;
import dev.weft.common.PushSettings;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.PushNotice;
import dev.weft.schemas.PushReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a gateway's push notices (messages written to a socket and never confirmed) to the push topic. */
public final class PushNotices {

  private static final Logger log = LoggerFactory.getLogger(PushNotices.class);

  private final KafkaPublisher publisher;
  private final String topic;
  private final PushSettings settings;
  private final AvroSerde<PushNotice> serde = AvroSerde.pushNotice();
  private final Counter written;

  public PushNotices(KafkaPublisher publisher, String topic, PushSettings settings, MeterRegistry registry) {
    this.publisher = publisher;
    this.topic = topic;
    this.settings = settings;
    this.written = Counter.builder("weft.gateway.push.notices").tag("reason", "undelivered")
        .description("push notices written for messages a socket's client did not confirm").register(registry);
  }

  public PushSettings settings() {
    return settings;
  }

  /** What tracks one socket's messages, writing a notice for each that stays unconfirmed. */
  public UnconfirmedMessages tracker(Context context, String user) {
    return new UnconfirmedMessages(m -> undelivered(context, user, m));
  }

  /** Writes an UNDELIVERED notice. Called on the socket's event loop. */
  private void undelivered(Context context, String user, UnconfirmedMessages.Message m) {
    PushNotice notice = PushNotice.newBuilder().setRecipient(user).setConv(m.conv()).setId(m.id()).setSeq(m.seq())
        .setFrom(m.from()).setTs(m.ts()).setReason(PushReason.UNDELIVERED).setPreview(m.preview()).build();
    written.increment();
    publisher.publish(context, topic, user, serde.encode(notice))
        .onFailure(e -> log.warn("could not write the push notice of {} for {}: {}", LogSafe.of(m.id()), LogSafe.of(user),
            e.toString()));
  }
}
