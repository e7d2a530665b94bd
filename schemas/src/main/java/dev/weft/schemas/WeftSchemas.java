package dev.weft.schemas;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/** Every writer schema Weft may have written, indexed by fingerprint for {@link AvroSerde}. */
public final class WeftSchemas {

  private static final List<Schema> CURRENT =
      List.of(InboundMessage.getClassSchema(), SessionAnnouncement.getClassSchema(), Delivery.getClassSchema(),
          GatewayHeartbeat.getClassSchema(), Receipt.getClassSchema(), ReceiptDelivery.getClassSchema(),
          GroupSnapshot.getClassSchema(), Typing.getClassSchema(),
          Metadata.getClassSchema(), PushNotice.getClassSchema(), ControlRecord.getClassSchema());

  private WeftSchemas() {}

  /** The schemas this build writes. */
  public static List<Schema> current() {
    return CURRENT;
  }

  /** The fingerprint of the writer schema of a single-object encoded value, or 0 if it has no valid header. */
  public static long fingerprintOf(byte[] value) {
    if (value == null || value.length < 10 || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
      return 0;
    }
    long f = 0;
    for (int i = 0; i < 8; i++) {
      f |= (value[2 + i] & 0xFFL) << (8 * i);
    }
    return f;
  }

  /** A fresh store holding every known writer schema. */
  public static SchemaStore store() {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    CURRENT.forEach(cache::addSchema);
    return cache;
  }
}
