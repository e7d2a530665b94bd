package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** User and device ids that look like another, or have no UTF-8 form, are refused before they name anything. */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentifierRulesTest {

  private Fabric fabric;
  private String secret;

  @BeforeAll
  void start(WeftInfra infra) {
    secret = infra.jwtSecret();
    fabric = Fabric.start(infra, 1, Map.of());
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  /**
   * An HS256 token whose payload is written by hand, so {@code sub} can hold what a JSON library would not write (a
   * lone surrogate as a {@code \\u} escape, which a decoder reads back as that surrogate).
   */
  private String handMadeToken(String subJson) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    long exp = Instant.now().plusSeconds(600).getEpochSecond();
    String payload = b64.encodeToString(("{\"sub\":" + subJson + ",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
    return header + "." + payload + "." + signature;
  }

  private void assertRefused401(String token, String what) throws Exception {
    RawUpgrade.Answer a = RawUpgrade.upgrade(fabric.port(1), null, token, "");
    assertEquals(401, a.status(), what + ": " + a.head());
    assertEquals("invalid_token", a.code(), what);
    assertTrue(a.body().getString("message").contains("NFC"), a.body().encode());
  }

  @Test
  void aSubWithAZeroWidthSpaceIsRefused() throws Exception {
    assertRefused401(fabric.token("ad\u200Bmin"), "zero-width space");
    assertRefused401(fabric.token("admin\u202E"), "right-to-left override");
    assertRefused401(fabric.token("ad\u00A0min"), "no-break space");
    assertEquals(101, RawUpgrade.upgrade(fabric.port(1), null, fabric.token("admin"), "").status(), "the real admin");
  }

  @Test
  void aSubWithALoneSurrogateIsRefused() throws Exception {
    assertRefused401(handMadeToken("\"x\\uD800\""), "lone high surrogate");
    assertRefused401(handMadeToken("\"x\\uDBFF\""), "another, which would encode to the same bytes");
    assertEquals(101, RawUpgrade.upgrade(fabric.port(1), null, handMadeToken("\"x\\uD83D\\uDE00\""), "").status(),
        "a surrogate pair is an ordinary character");
  }

  @Test
  void aSubNotInNfcIsRefusedNotAliasedToItsNfcTwin() throws Exception {
    assertRefused401(fabric.token("Zoe\u0308"), "NFD");
    assertEquals(101, RawUpgrade.upgrade(fabric.port(1), null, fabric.token("Zo\u00EB"), "").status(), "NFC");
  }

  @Test
  void aDeviceWithAFormatCharacterIsRefused() throws Exception {
    RawUpgrade.Answer a = RawUpgrade.upgrade(fabric.port(1), "device=" + URLEncoder.encode("pho\u200Dne", StandardCharsets.UTF_8),
        fabric.token("device-owner"), "");
    assertEquals(400, a.status(), a.head());
    assertEquals("bad_request", a.code());
  }

  @Test
  void aRecipientOrGroupMemberThatIsNoValidIdIsRefused() {
    try (WsClient c = WsClient.connect(fabric.port(1), fabric.token("sender"), null)) {
      c.send(new JsonObject().put("op", "send").put("ref", "r1").put("to", "bo\u200Bb").put("text", "hi"));
      JsonObject e = c.next();
      assertEquals("bad_recipient", e.getString("code"), e.encode());
      c.send(new JsonObject().put("op", "send").put("ref", "r2").put("to", "Zoe\u0308").put("text", "hi"));
      assertEquals("bad_recipient", c.next().getString("code"));
      c.send(new JsonObject().put("op", "group_create").put("ref", "g1").put("title", "t")
          .put("members", new io.vertx.core.json.JsonArray().add("ad\u200Bmin")));
      assertEquals("bad_request", c.next().getString("code"));
    }
  }

  @Test
  void aReceiptSeqThatNoPartitionOffsetCanBeIsBadRequest() {
    try (WsClient c = WsClient.connect(fabric.port(1), fabric.token("reader"), null)) {
      String conv = ConversationIds.direct("reader", "writer");
      int n = 0;
      for (String seq : new String[] {"1e30", "-1", "1.5", "99999999999999999999", "9223372036854775808", "\"7\"",
          "null", "true"}) {
        String ref = "s" + n++;
        c.send("{\"op\":\"receipt\",\"ref\":\"" + ref + "\",\"conv\":\"" + conv + "\",\"kind\":\"read\",\"seq\":" + seq + "}");
        JsonObject e = c.next();
        assertEquals("error", e.getString("op"), seq + ": " + e.encode());
        assertEquals("bad_request", e.getString("code"), seq);
        assertEquals(ref, e.getString("ref"));
      }
      c.send("{\"op\":\"receipt\",\"ref\":\"max\",\"conv\":\"" + conv + "\",\"kind\":\"read\",\"seq\":9223372036854775807}");
      assertEquals("ack", c.next().getString("op"), "Long.MAX_VALUE is still an offset");
    }
  }
}
