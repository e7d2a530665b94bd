package dev.weft.common;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;

/**
 * How every reader of the sessions topic reads a record, so that the router's session table and every gateway's
 * presence agree on who is connected. A record replaces whatever its key (the session id) held before, so a record
 * that cannot be read is not skipped: it leaves the session gone, like a tombstone. Skipping it kept the session's
 * earlier announcement alive in one reader while the other had dropped it.
 */
public final class SessionRecords {

  /** A gateway id must make a legal topic name ({@code <prefix>deliver.<id>}); a gateway checks its own id with it. */
  private static final Pattern GATEWAY_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private SessionRecords() {}

  public static boolean isValidGatewayId(String gateway) {
    return gateway != null && GATEWAY_ID.matcher(gateway).matches();
  }

  /**
   * The live session the record announces, or null when it leaves its key with none: a tombstone, a value that does
   * not decode, or a gateway id no delivery topic can have (the last two are logged).
   */
  public static SessionAnnouncement read(ConsumerRecord<String, byte[]> r, AvroSerde<SessionAnnouncement> serde, Logger log) {
    if (r.value() == null) {
      return null;
    }
    SessionAnnouncement a;
    try {
      a = serde.decode(r.value());
    } catch (RuntimeException e) {
      log.warn("session {} is gone: undecodable announcement at {}-{}@{}: {}", LogSafe.of(r.key()), r.topic(),
          r.partition(), r.offset(), e.getMessage());
      return null;
    }
    if (!isValidGatewayId(a.getGateway())) {
      log.warn("session {} is gone: gateway id '{}' cannot name a delivery topic", LogSafe.of(r.key()),
          LogSafe.of(a.getGateway()));
      return null;
    }
    return a;
  }
}
