package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class MultiDeviceTest {

  private static List<JsonObject> msgs(List<JsonObject> frames) {
    return frames.stream().filter(f -> "msg".equals(f.getString("op"))).toList();
  }

  private static List<String> texts(List<JsonObject> msgs) {
    return msgs.stream().map(m -> m.getString("text")).toList();
  }

  @Test
  @DisplayName("three devices of one user on two gateways each get every message, their own from other devices included")
  void everyDeviceOfAUserGetsEverything(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient phone = WsClient.connect(fabric.port(1), fabric.token("alice"), "phone");
        WsClient laptop = WsClient.connect(fabric.port(2), fabric.token("alice"), "laptop");
        WsClient tablet = WsClient.connect(fabric.port(2), fabric.token("alice"), "tablet");
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("bob"), null)) {
      fabric.awaitRoutable(4);

      Duration t = Duration.ofSeconds(10);
      // Sends one after another, each after the previous was acked, so the order is known.
      bob.send(new JsonObject().put("op", "send").put("ref", "b1").put("to", "alice").put("text", "from bob"));
      List<JsonObject> bobFrames = new java.util.ArrayList<>(bob.collect(f -> true, 1, t));
      phone.send(new JsonObject().put("op", "send").put("ref", "p1").put("to", "bob").put("text", "from phone"));
      List<JsonObject> phoneFrames = new java.util.ArrayList<>(phone.collect(f -> true, 2, t)); // msg from bob, ack
      laptop.send(new JsonObject().put("op", "send").put("ref", "l1").put("to", "bob").put("text", "from laptop"));
      List<JsonObject> laptopFrames = new java.util.ArrayList<>(laptop.collect(f -> true, 3, t)); // 2 msgs, ack
      phoneFrames.addAll(phone.collect(f -> true, 1, t));
      bobFrames.addAll(bob.collect(f -> true, 2, t));
      List<JsonObject> tabletFrames = tablet.collect(f -> true, 3, t);

      // Each device gets every message except its own send (which it has as an ack), in order.
      assertEquals(List.of("from bob", "from laptop"), texts(msgs(phoneFrames)));
      assertEquals(List.of("from bob", "from phone"), texts(msgs(laptopFrames)));
      assertEquals(List.of("from bob", "from phone", "from laptop"), texts(msgs(tabletFrames)));
      assertEquals(List.of("from phone", "from laptop"), texts(msgs(bobFrames)));
      for (List<JsonObject> frames : List.of(phoneFrames, laptopFrames, bobFrames)) {
        assertEquals(1, frames.stream().filter(f -> "ack".equals(f.getString("op"))).count());
      }
      // And nothing twice.
      for (WsClient c : List.of(phone, laptop, tablet, bob)) {
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> c.next(Duration.ofMillis(300)));
      }
    }
  }
}
