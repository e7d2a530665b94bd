package dev.weft.tools;

import dev.weft.schemas.WeftSchemas;
import java.io.IOException;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Turns a record value into JSON by its own writer schema (found by the fingerprint in its single-object header),
 * so records of any known schema version decode as they were written, with no reader schema to resolve to.
 */
final class RecordDecoder {

  private final Map<Long, Schema> byFingerprint = new HashMap<>();

  RecordDecoder(Collection<Schema> schemas) {
    for (Schema s : schemas) {
      byFingerprint.putIfAbsent(SchemaNormalization.parsingFingerprint64(s), s);
    }
  }

  /** Current and every kept release's schemas. */
  static RecordDecoder standard() {
    return new RecordDecoder(KnownSchemas.all());
  }

  int size() {
    return byFingerprint.size();
  }

  boolean knows(Schema schema) {
    return byFingerprint.containsKey(SchemaNormalization.parsingFingerprint64(schema));
  }

  /**
   * JSON of the value: {@code null} for a tombstone, Avro's JSON rendering ({@link GenericData#toString}) of the
   * record, or {@code {"undecodable": "<base64>"}} when the header is missing, the schema unknown or the body bad.
   */
  String toJson(byte[] value) {
    if (value == null) {
      return "null";
    }
    Schema writer = byFingerprint.get(WeftSchemas.fingerprintOf(value));
    if (writer != null) {
      try {
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(value, 10, value.length - 10, null);
        Object record = new GenericDatumReader<>(writer).read(null, in);
        if (in.isEnd()) {
          return GenericData.get().toString(record);
        }
      } catch (IOException | RuntimeException e) {
        // falls through to undecodable: a corrupt body is shown, not fatal
      }
    }
    return "{\"undecodable\": \"" + Base64.getEncoder().encodeToString(value) + "\"}";
  }
}
