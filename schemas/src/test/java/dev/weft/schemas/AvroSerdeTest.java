package dev.weft.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static InboundMessage sample() {
    return InboundMessage.newBuilder()
        .setId("m-1").setConv("dm:YQ.Yg").setFrom("alice").setFromDevice("d1")
        .setFromSession("s-1").setRef("r-1").setMembers(List.of("alice", "bob"))
        .setTs(1764300000000L).setGateway("gw-1").setText("hi \u2603")
        .build();
  }

  @Test
  void roundTripsARecord() {
    AvroSerde<InboundMessage> serde = AvroSerde.inboundMessage();
    assertEquals(sample(), serde.deserializer().deserialize("t", serde.serializer().serialize("t", sample())));
  }

  @Test
  void writesTheSameBytesAsAvrosGenericWriter() throws Exception {
    InboundMessage withEvent = InboundMessage.newBuilder(sample()).setConv("g:team")
        .setEvent(GroupEvent.newBuilder().setKind(GroupEventKind.ADDED).setUsers(List.of("carol")).setTitle(null).build())
        .build();
    for (InboundMessage m : List.of(sample(), withEvent)) {
      org.apache.avro.message.BinaryMessageEncoder<InboundMessage> generic =
          new org.apache.avro.message.BinaryMessageEncoder<>(org.apache.avro.specific.SpecificData.get(), m.getSchema());
      java.nio.ByteBuffer b = generic.encode(m);
      byte[] expected = new byte[b.remaining()];
      b.get(expected);
      assertArrayEquals(expected, AvroSerde.inboundMessage().encode(m));
    }
  }

  @Test
  void keepsTombstonesNull() {
    AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
    assertNull(serde.serializer().serialize("t", null));
    assertNull(serde.deserializer().deserialize("t", null));
  }

  @Test
  void refusesBytesThatAreNotSingleObjectEncoded() {
    assertThrows(SerializationException.class, () -> AvroSerde.delivery().decode(new byte[] {1, 2, 3}));
  }

  @Test
  void recordCanBeDecodedWithNothingButThePublishedAvscFile() throws Exception {
    byte[] bytes = AvroSerde.inboundMessage().encode(sample());
    Schema fromFile;
    // InboundMessage names GroupEvent, defined in its own file: one parser reads the named type first.
    Schema.Parser parser = new Schema.Parser();
    try (InputStream event = getClass().getResourceAsStream("/weft/avro/GroupEvent.avsc");
        InputStream attachment = getClass().getResourceAsStream("/weft/avro/Attachment.avsc");
        InputStream action = getClass().getResourceAsStream("/weft/avro/MessageAction.avsc");
        InputStream block = getClass().getResourceAsStream("/weft/avro/BlockChange.avsc");
        InputStream in = getClass().getResourceAsStream("/weft/avro/InboundMessage.avsc")) {
      parser.parse(event);
      parser.parse(attachment);
      parser.parse(action);
      parser.parse(block);
      fromFile = parser.parse(in);
    }
    // The header names the writer schema by its CRC-64-AVRO fingerprint, little-endian.
    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    long fingerprint = SchemaNormalization.parsingFingerprint64(fromFile);
    byte[] expected = new byte[8];
    for (int i = 0; i < 8; i++) {
      expected[i] = (byte) (fingerprint >>> (8 * i));
    }
    assertArrayEquals(expected, Arrays.copyOfRange(bytes, 2, 10));
    GenericRecord decoded = new GenericDatumReader<GenericRecord>(fromFile)
        .read(null, DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
    assertEquals("hi \u2603", decoded.get("text").toString());
    assertEquals("alice", decoded.get("from").toString());
  }
}
