package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.gateway.config.ContentSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SendContentTest {

  private static final ContentSettings LIMITS = new ContentSettings(2, 100);

  private static JsonObject file() {
    return new JsonObject().put("url", "https://cdn.example.com/a.pdf").put("media_type", "application/pdf")
        .put("size", 10).put("hash", "sha256:00");
  }

  private static SendContent.Parsed parse(Object attachments) {
    return SendContent.parse(new JsonObject().put("attachments", attachments), LIMITS);
  }

  @Test
  void aFrameWithNeitherHasNoReplyAndNoAttachments() {
    SendContent.Parsed p = SendContent.parse(new JsonObject().put("text", "hi"), LIMITS);
    assertNull(p.error());
    assertNull(p.replyTo());
    assertTrue(p.attachments().isEmpty());
  }

  @Test
  void keepsEveryFieldOfAnAttachmentAndIgnoresUnknownOnes() {
    String thumb = Base64.getEncoder().encodeToString(new byte[100]);
    SendContent.Parsed p = parse(new JsonArray().add(file().put("name", "a.pdf").put("width", 3).put("height", 4)
        .put("thumbnail", thumb).put("from_a_newer_client", true)));
    assertNull(p.error());
    var a = p.attachments().get(0);
    assertEquals("https://cdn.example.com/a.pdf", a.getUrl());
    assertEquals("application/pdf", a.getMediaType());
    assertEquals(10L, a.getSize());
    assertEquals("a.pdf", a.getName());
    assertEquals(3, a.getWidth());
    assertEquals(4, a.getHeight());
    assertEquals(thumb, a.getThumbnail());
  }

  @Test
  void boundsTheCountAndTheThumbnailAsConfigured() {
    assertTrue(parse(new JsonArray().add(file()).add(file()).add(file())).error().contains("at most 2"));
    String big = Base64.getEncoder().encodeToString(new byte[101]);
    assertTrue(parse(new JsonArray().add(file().put("thumbnail", big))).error().contains("at most 100 bytes"));
    assertNull(parse(new JsonArray().add(file().put("size", Long.MAX_VALUE))).error(), "a size is any long");
  }

  @Test
  void aReplyIsAnIdOfPrintableAsciiOnly() {
    assertNull(SendContent.parse(new JsonObject().put("reply_to", "6f1c-1"), LIMITS).error());
    for (Object bad : new Object[] {"", "tab\there", "é", 7, new JsonObject()}) {
      assertTrue(SendContent.parse(new JsonObject().put("reply_to", bad), LIMITS).error().startsWith("reply_to"),
          String.valueOf(bad));
    }
  }
}
