package dev.weft.gateway.ws;

import dev.weft.gateway.config.ContentSettings;
import dev.weft.schemas.Attachment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code send}'s {@code reply_to} and {@code attachments}, checked: Weft stores and forwards them, never fetches
 * anything, so each field is bounded and shaped, and nothing else is asked of it. Unknown fields of an attachment are
 * ignored, so a newer client's additions do not break an older gateway.
 */
final class SendContent {

  /** A message id, as a reply or an action names it: what gateways make fits well under this. */
  static final int MAX_MESSAGE_ID = 64;
  static final int MAX_URL = 2048;
  static final int MAX_HASH = 200;
  static final int MAX_NAME = 255;
  static final int MAX_PIXELS = 100_000;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  /** What was sent, or why it is refused ({@code error} set, the rest null). */
  record Parsed(String replyTo, List<Attachment> attachments, String error) {
    static Parsed refused(String error) {
      return new Parsed(null, null, error);
    }

    /** Sets them on the record to publish. */
    void applyTo(dev.weft.schemas.InboundMessage.Builder b) {
      b.setReplyTo(replyTo).setAttachments(attachments);
    }
  }

  private SendContent() {}

  static Parsed parse(JsonObject frame, ContentSettings limits) {
    Object reply = frame.getValue("reply_to");
    String replyTo = null;
    if (reply != null) {
      if (!(reply instanceof String r) || !printableAscii(r, MAX_MESSAGE_ID)) {
        return Parsed.refused("reply_to must be a message id: 1 to " + MAX_MESSAGE_ID + " printable ASCII characters");
      }
      replyTo = r;
    }
    Object value = frame.getValue("attachments");
    List<Attachment> attachments = new ArrayList<>();
    if (value != null) {
      if (!(value instanceof JsonArray array) || array.size() > limits.maxAttachments()) {
        return Parsed.refused("attachments must be an array of at most " + limits.maxAttachments() + " objects");
      }
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof JsonObject a)) {
          return Parsed.refused("attachments[" + i + "] must be an object");
        }
        String why = check(a, limits);
        if (why != null) {
          return Parsed.refused("attachments[" + i + "]." + why);
        }
        attachments.add(Attachment.newBuilder().setUrl(a.getString("url")).setMediaType(a.getString("media_type"))
            .setSize(((Number) a.getValue("size")).longValue()).setHash(a.getString("hash"))
            .setName(a.getString("name")).setWidth(a.getInteger("width")).setHeight(a.getInteger("height"))
            .setThumbnail(a.getString("thumbnail")).build());
      }
    }
    return new Parsed(replyTo, attachments, null);
  }

  /** Why the attachment is refused, naming the field; null when it is fine. */
  private static String check(JsonObject a, ContentSettings limits) {
    if (!(a.getValue("url") instanceof String url) || url.length() > MAX_URL || !httpUrl(url)) {
      return "url must be an http or https URL of at most " + MAX_URL + " characters";
    }
    if (!(a.getValue("media_type") instanceof String type) || !mediaType(type)) {
      return "media_type must be a media type, type/subtype (e.g. image/jpeg)";
    }
    Object size = a.getValue("size");
    if (!(size instanceof Integer || size instanceof Long) || ((Number) size).longValue() < 0) {
      return "size must be a non-negative integer (bytes)";
    }
    if (!(a.getValue("hash") instanceof String hash) || !printableAscii(hash, MAX_HASH)) {
      return "hash must be 1 to " + MAX_HASH + " printable ASCII characters (e.g. sha256:<hex>)";
    }
    Object name = a.getValue("name");
    if (name != null && !(name instanceof String n && !n.isEmpty() && n.length() <= MAX_NAME
        && n.codePoints().noneMatch(Character::isISOControl))) {
      return "name must be a string of 1 to " + MAX_NAME + " characters with no control characters";
    }
    for (String dim : new String[] {"width", "height"}) {
      Object d = a.getValue(dim);
      if (d != null && !(d instanceof Integer px && px >= 1 && px <= MAX_PIXELS)) {
        return dim + " must be an integer of 1 to " + MAX_PIXELS + " (pixels)";
      }
    }
    Object thumb = a.getValue("thumbnail");
    if (thumb != null) {
      // Four base64 characters carry three bytes: a longer string cannot decode within the bound.
      if (!(thumb instanceof String t) || t.isEmpty() || t.length() > (limits.maxThumbnailBytes() + 2) / 3 * 4) {
        return "thumbnail must be base64 of at most " + limits.maxThumbnailBytes() + " bytes (WEFT_MAX_THUMBNAIL_BYTES)";
      }
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(t);
      } catch (IllegalArgumentException e) {
        return "thumbnail is not base64 (the standard alphabet, padded)";
      }
      if (decoded.length > limits.maxThumbnailBytes()) {
        return "thumbnail must be base64 of at most " + limits.maxThumbnailBytes() + " bytes (WEFT_MAX_THUMBNAIL_BYTES)";
      }
    }
    return null;
  }

  private static boolean httpUrl(String url) {
    try {
      URI u = new URI(url);
      return ("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static boolean mediaType(String type) {
    int slash = type.indexOf('/');
    return slash > 0 && type.length() <= 255 && TOKEN.matcher(type.substring(0, slash)).matches()
        && TOKEN.matcher(type.substring(slash + 1)).matches();
  }

  static boolean printableAscii(String s, int max) {
    if (s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
