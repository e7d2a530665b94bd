package dev.weft.schemas;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/** Every writer schema Weft may have written, indexed by fingerprint for {@link AvroSerde}. */
public final class WeftSchemas {

  private static final List<Schema> CURRENT =
      List.of(InboundMessage.getClassSchema(), SessionAnnouncement.getClassSchema(), Delivery.getClassSchema(),
          GatewayHeartbeat.getClassSchema());

  private WeftSchemas() {}

  /** The schemas this build writes. */
  public static List<Schema> current() {
    return CURRENT;
  }

  /** A fresh store holding every known writer schema. */
  public static SchemaStore store() {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    CURRENT.forEach(cache::addSchema);
    return cache;
  }
}
