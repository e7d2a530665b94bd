package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void producersDoNotCompressUnlessTold() {
    KafkaSettings kafka = KafkaSettings.from(new Env(Map.of()));
    assertEquals("none", KafkaClientProps.producer(kafka, "p").get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    KafkaSettings zstd = KafkaSettings.from(new Env(Map.of("WEFT_KAFKA_COMPRESSION", "ZSTD")));
    assertEquals("zstd", KafkaClientProps.producer(zstd, "p").get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
  }

  @Test
  void anUnknownCodecIsRefusedByName() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> KafkaSettings.from(new Env(Map.of("WEFT_KAFKA_COMPRESSION", "brotli"))));
    assertTrue(e.getMessage().contains("WEFT_KAFKA_COMPRESSION=brotli"), e.getMessage());
    assertTrue(e.getMessage().contains("lz4"), e.getMessage());
  }
}
