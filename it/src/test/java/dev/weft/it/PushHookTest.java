package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.PushNotice;
import dev.weft.schemas.PushReason;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, the offline push hook: a notice on {@code weft.push} for each recipient who may not have seen a message.
 * Offline when routed (the router), or written to a socket whose client never confirmed it (the gateway): a phone
 * asleep in a pocket, here a socket that never reads or answers a ping. A client that answers pings gets none.
 */
@WeftIntegrationTest
class PushHookTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void offlineRecipientsAndSocketsThatNeverConfirmGetANoticeAndConnectedClientsDoNot(WeftInfra infra) throws Exception {
    Map<String, String> env = Map.of("WEFT_PUSH_UNDELIVERED_MS", "1000", "WEFT_PUSH_PREVIEW_CHARS", "5");
    try (Fabric fabric = Fabric.start(infra, 1, env);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("ph-alice"), null);
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("ph-carol"), null);
        Socket asleep = SilentPeer.upgrade(fabric.port(1), fabric.token("ph-dave"))) {
      // Erin on a Vert.x client, as the bench and load generator are: its automatic pongs must confirm too.
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      java.util.concurrent.CountDownLatch erinGotIt = new java.util.concurrent.CountDownLatch(1);
      vertx.createWebSocketClient().connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
              .setPort(fabric.port(1)).setURI("/v1/ws").addHeader("Authorization", "Bearer " + fabric.token("ph-erin")))
          .onSuccess(ws -> ws.textMessageHandler(t -> {
            if (t.contains("\"hi all\"")) {
              erinGotIt.countDown();
            }
          })).toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
      fabric.awaitRoutable(4);

      JsonObject toBob = request(alice, new JsonObject().put("op", "send").put("ref", "1").put("to", "ph-bob")
          .put("text", "hello bob, are you there?"));
      JsonObject created = request(alice, new JsonObject().put("op", "group_create").put("ref", "g").put("title", "t")
          .put("members", new JsonArray().add("ph-bob").add("ph-carol").add("ph-dave").add("ph-erin")));
      String group = created.getString("conv");
      JsonObject toGroup = request(alice, new JsonObject().put("op", "send").put("ref", "2").put("conv", group)
          .put("text", "hi all"));
      carol.await(f -> "msg".equals(f.getString("op")) && "hi all".equals(f.getString("text")), WAIT);
      assertTrue(erinGotIt.await(20, java.util.concurrent.TimeUnit.SECONDS), "erin got the group message");

      List<PushNotice> notices = read(infra, 3);
      PushNotice bobDirect = only(notices, "ph-bob", toBob.getString("id"));
      assertEquals(PushReason.OFFLINE, bobDirect.getReason());
      assertEquals("ph-alice", bobDirect.getFrom());
      assertEquals("hello", bobDirect.getPreview(), "WEFT_PUSH_PREVIEW_CHARS=5");
      assertEquals(PushReason.OFFLINE, only(notices, "ph-bob", toGroup.getString("id")).getReason());
      PushNotice daveGroup = only(notices, "ph-dave", toGroup.getString("id"));
      assertEquals(PushReason.UNDELIVERED, daveGroup.getReason(), "connected, never confirmed: after 1 s");
      assertEquals(group, daveGroup.getConv());
      assertTrue(notices.stream().noneMatch(n -> n.getRecipient().equals("ph-carol")),
          "carol's client answers pings: she got it; " + notices);
      assertTrue(notices.stream().noneMatch(n -> n.getRecipient().equals("ph-erin")),
          "erin's Vert.x client answers pings by itself: " + notices);
      assertTrue(notices.stream().noneMatch(n -> n.getRecipient().equals("ph-alice")), "never the sender");
      assertEquals(3, notices.size(), String.valueOf(notices));
      vertx.close();
    }
  }

  private static PushNotice only(List<PushNotice> notices, String recipient, String id) {
    List<PushNotice> matching = notices.stream().filter(n -> n.getRecipient().equals(recipient) && n.getId().equals(id))
        .toList();
    assertEquals(1, matching.size(), recipient + " " + id + " in " + notices);
    return matching.get(0);
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    return c.acked(frame, WAIT);
  }

  /** The push topic from its beginning until {@code count} notices came, then 3 s more for any extra. */
  private static List<PushNotice> read(WeftInfra infra, int count) {
    Properties props = infra.kafkaProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, infra.topic("push-reader"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroSerde<PushNotice> serde = AvroSerde.pushNotice();
    List<PushNotice> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(infra.topic("push")));
      long deadline = System.nanoTime() + WAIT.toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          PushNotice n = serde.decode(r.value());
          assertEquals(n.getRecipient(), r.key(), "keyed by recipient");
          out.add(n);
        }
        if (out.size() >= count && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        }
      }
    }
    return out;
  }
}
