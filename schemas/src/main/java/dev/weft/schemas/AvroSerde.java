package dev.weft.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one serde of every Weft record: Avro single-object encoding.
 *
 * <p>Each value is {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, then the Avro binary body (see the Avro specification, "Single-object encoding"). A
 * consumer holding only the {@code .avsc} files finds the writer schema by fingerprint and
 * resolves it to its own reader schema. A {@code null} value (a tombstone) stays {@code null}.
 *
 * <p>Instances are thread-safe: Avro's message encoder and decoder keep per-thread buffers.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  /**
   * The generated classes' own encoders ({@code customEncode}) instead of Avro's generic writer, which walks the
   * schema and looks each field up per record: a hot spot of every hop in a profile (docs/performance.md). The
   * bytes are the same. Decoding keeps Avro's fast reader, which resolves a writer schema to the reader's.
   */
  private static final SpecificData DATA = customCoders();

  private static SpecificData customCoders() {
    SpecificData data = new SpecificData();
    data.setCustomCoders(true);
    return data;
  }

  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Schema schema, SchemaStore writerSchemas) {
    this.encoder = new BinaryMessageEncoder<>(DATA, schema);
    this.decoder = new BinaryMessageDecoder<>(DATA, schema, writerSchemas);
  }

  /** A serde for the given generated record type, resolving writer schemas from {@link WeftSchemas}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    Schema schema = SpecificData.get().getSchema(type);
    return new AvroSerde<>(schema, WeftSchemas.store());
  }

  public static AvroSerde<InboundMessage> inboundMessage() {
    return of(InboundMessage.class);
  }

  public static AvroSerde<SessionAnnouncement> sessionAnnouncement() {
    return of(SessionAnnouncement.class);
  }

  public static AvroSerde<Delivery> delivery() {
    return of(Delivery.class);
  }

  public static AvroSerde<Receipt> receipt() {
    return of(Receipt.class);
  }

  public static AvroSerde<ReceiptDelivery> receiptDelivery() {
    return of(ReceiptDelivery.class);
  }

  public static AvroSerde<Metadata> metadata() {
    return of(Metadata.class);
  }

  public static AvroSerde<PushNotice> pushNotice() {
    return of(PushNotice.class);
  }

  public static AvroSerde<ControlRecord> controlRecord() {
    return of(ControlRecord.class);
  }

  public static AvroSerde<Typing> typing() {
    return of(Typing.class);
  }

  public static AvroSerde<GroupSnapshot> groupSnapshot() {
    return of(GroupSnapshot.class);
  }

  public static AvroSerde<GatewayHeartbeat> gatewayHeartbeat() {
    return of(GatewayHeartbeat.class);
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("not a Weft Avro single-object record: " + e.getMessage(), e);
    }
  }

  /** Kafka serializer; a null value (a tombstone) stays null. */
  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> data == null ? null : encode(data);
  }

  /** Kafka deserializer; a null value (a tombstone) stays null. */
  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> data == null ? null : decode(data);
  }
}
