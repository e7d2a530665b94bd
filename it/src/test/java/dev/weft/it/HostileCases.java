package dev.weft.it;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.weft.common.ConversationIds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the hostile corpus: {@code hostile/<area>.json} on the test class path, a JSON array of cases. A case has a
 * {@code name}, one way of attacking and an {@code expect}:
 *
 * <ul>
 *   <li>{@code send}: a JSON value, sent as one text frame; {@code raw}: text sent verbatim; {@code binary}: hex bytes
 *       or {@code {"$repeat":"00","times":n}}; {@code fragments}: one message in several frames; {@code wire}: frames
 *       written byte for byte on a socket of their own ({@code [{"b0":129,"hex":"c328"}]}, optional {@code masked});
 *       {@code upgrade} / {@code http}: one HTTP request ({@code method}, {@code target}, {@code token}, {@code in}:
 *       header|query|both, extra {@code headers}; {@code bare} drops the usual upgrade headers).
 *   <li>{@code repeat}: send the frame this many times back to back (a flood; {@code ${i}} is the count).
 *   <li>{@code expect}: {@code {"error":code,"ref":...,"retry":bool}}, {@code {"ack":true}}, {@code {"silent":true}}
 *       (no answer), {@code {"close":code}}, {@code {"flood":code,"others":"ack"|"none"}}, or for HTTP
 *       {@code {"status":n,"code":...}}. {@code "ref": null} means the error must carry no ref.
 *   <li>{@code stores}: true when the case's {@code ${marker}} is meant to be stored (its send is acked).
 * </ul>
 *
 * <p>Strings are templates: {@code ${me}}, {@code ${peer}}, {@code ${dm}} (me and peer), {@code ${foreignDm}} (two
 * others), {@code ${group}} (me a plain member), {@code ${adminGroup}} (me its admin), {@code ${foreignGroup}} (me not
 * in it), {@code ${newGroup}} (a well-formed id no group has), {@code ${ref}} and {@code ${marker}} (unique per case),
 * {@code ${cursor}}, {@code ${epoch}}, {@code ${positions}} / {@code ${positionsShort}} / {@code ${positionsLong}}
 * (one "0" per partition, one fewer, one more), {@code ${tok:KIND}} (a token, see {@link #token}). A value may be
 * built from parts: an array of strings and {@code {"$repeat":s,"times":n}} objects, joined (inside {@code send},
 * where an array is a JSON array, such a list is wrapped as {@code {"$concat":[...]}}). A {@code finding} says where
 * today's behaviour is not what docs/protocol.md says, or where it says nothing.
 */
final class HostileCases {

  static final String ME = "mallory";
  static final String PEER = "pal";
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z]+)(?::([^}]*))?}");
  private static final SecureRandom RANDOM = new SecureRandom();

  final Map<String, String> vars = new HashMap<>();
  private final Fabric fabric;
  private final Algorithm hs256;
  private final String secret;
  private final String nonce = Long.toString(System.nanoTime() % 1_000_000, 36);
  private int next;

  HostileCases(Fabric fabric, String secret) {
    this.fabric = fabric;
    this.secret = secret;
    this.hs256 = Algorithm.HMAC256(secret);
    vars.put("me", ME);
    vars.put("peer", PEER);
    vars.put("dm", ConversationIds.direct(ME, PEER));
    vars.put("foreignDm", ConversationIds.direct("alice", "bob"));
  }

  /** Takes the epoch and the partition count from a cursor the server wrote. */
  void cursor(String cursor) {
    String[] parts = cursor.split("\\.");
    int partitions = parts.length - 3;
    vars.put("cursor", cursor);
    vars.put("epoch", parts[1]);
    vars.put("positions", String.join(".", java.util.Collections.nCopies(partitions, "0")));
    vars.put("positionsShort", String.join(".", java.util.Collections.nCopies(partitions - 1, "0")));
    vars.put("positionsLong", String.join(".", java.util.Collections.nCopies(partitions + 1, "0")));
  }

  /** The cases of one area, in file order. */
  List<Case> load(String area) {
    String path = "/hostile/" + area + ".json";
    try (InputStream in = HostileCases.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no " + path + " on the test class path");
      }
      JsonArray array = new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Case> out = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (Object o : array) {
        JsonObject json = (JsonObject) o;
        String name = json.getString("name");
        if (name == null || !names.add(name) || !json.containsKey("expect")) {
          throw new IllegalStateException(path + ": every case needs a unique name and an expect: " + json.encode());
        }
        out.add(new Case(json, area));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request of an upgrade or HTTP case. */
  record Request(String method, String target, List<String> headers) {}

  /** One frame of a {@code wire} case. */
  record WireFrame(int firstByte, byte[] payload, boolean masked) {}

  /** One case; its index, ref and marker are given once, when it runs. */
  final class Case {
    private final JsonObject json;
    private final String area;
    private int index = -1;
    private String ref;
    private String marker;

    Case(JsonObject json, String area) {
      this.json = json;
      this.area = area;
    }

    String name() {
      return json.getString("name");
    }

    private void bind() {
      if (index < 0) {
        index = ++next;
        ref = area + "-" + index;
        marker = "hostile-" + index + "-" + nonce + "-";
      }
    }

    int index() {
      bind();
      return index;
    }

    String marker() {
      bind();
      return marker;
    }

    String kind() {
      for (String k : List.of("send", "raw", "binary", "fragments", "wire", "upgrade", "http")) {
        if (json.containsKey(k)) {
          return k;
        }
      }
      throw new IllegalStateException("case " + name() + " says nothing to send");
    }

    JsonObject expect() {
      return json.getJsonObject("expect");
    }

    int repeat() {
      return json.getInteger("repeat", 1);
    }

    String storedSender() {
      return json.getString("storedSender");
    }

    boolean stores() {
      return json.getBoolean("stores", false);
    }

    String resolve(String template) {
      return template == null ? null : substitute(template, -1);
    }

    /** The text frame to send the {@code i}th time. */
    String text(int i) {
      return json.containsKey("raw") ? build(json.getValue("raw"), i) : encode(expand(json.getValue("send"), i));
    }

    byte[] binary() {
      return HexFormat.of().parseHex(build(json.getValue("binary"), 0));
    }

    List<String> fragments() {
      List<String> parts = new ArrayList<>();
      for (Object o : json.getJsonArray("fragments")) {
        parts.add(build(o, 0));
      }
      return parts;
    }

    List<WireFrame> wireFrames() {
      List<WireFrame> out = new ArrayList<>();
      boolean masked = json.getBoolean("masked", true);
      for (Object o : json.getJsonArray("wire")) {
        JsonObject f = (JsonObject) o;
        byte[] payload = f.containsKey("hex") ? HexFormat.of().parseHex(build(f.getValue("hex"), 0))
            : build(f.getValue("text", ""), 0).getBytes(StandardCharsets.UTF_8);
        out.add(new WireFrame(f.getInteger("b0"), payload, masked));
      }
      return out;
    }

    Request request() {
      boolean upgrade = json.containsKey("upgrade");
      JsonObject r = json.getJsonObject(upgrade ? "upgrade" : "http");
      String target = build(r.getValue("target", "/v1/ws"), 0);
      String token = token(r.getString("token", "valid"));
      String in = r.getString("in", "header");
      List<String> headers = new ArrayList<>();
      if (upgrade && !r.getBoolean("bare", false)) {
        headers.add("Upgrade: websocket");
        headers.add("Connection: Upgrade");
        headers.add("Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(randomBytes(16)));
        headers.add("Sec-WebSocket-Version: 13");
      }
      if (!upgrade) {
        headers.add("Connection: close");
      }
      if (token != null && (in.equals("header") || in.equals("both"))) {
        headers.add("Authorization: Bearer " + token);
      }
      if (token != null && (in.equals("query") || in.equals("both"))) {
        target += (target.contains("?") ? "&" : "?") + "access_token=" + token;
      }
      for (Object h : r.getJsonArray("headers", new JsonArray())) {
        headers.add(build(h, 0));
      }
      return new Request(r.getString("method", "GET"), target, headers);
    }

    /** A string from a template or from parts. */
    private String build(Object node, int i) {
      if (node instanceof String s) {
        return substitute(s, i);
      }
      if (node instanceof JsonArray parts) {
        StringBuilder b = new StringBuilder();
        parts.forEach(p -> b.append(build(p, i)));
        return b.toString();
      }
      if (node instanceof JsonObject o && o.containsKey("$repeat")) {
        return build(o.getValue("$repeat"), i).repeat(o.getInteger("times"));
      }
      if (node instanceof JsonObject o && o.containsKey("$concat")) {
        return build(o.getValue("$concat"), i);
      }
      throw new IllegalStateException("case " + name() + ": cannot make a string of " + node);
    }

    /** A JSON value with its strings substituted and its {@code $repeat} parts built. */
    private Object expand(Object node, int i) {
      if (node instanceof String s) {
        return substitute(s, i);
      }
      if (node instanceof JsonObject o) {
        if (o.containsKey("$repeat") || o.containsKey("$concat")) {
          return build(o, i);
        }
        JsonObject out = new JsonObject();
        o.forEach(e -> out.put(substitute(e.getKey(), i), expand(e.getValue(), i)));
        return out;
      }
      if (node instanceof JsonArray a) {
        JsonArray out = new JsonArray();
        a.forEach(v -> out.add(expand(v, i)));
        return out;
      }
      return node;
    }

    private String encode(Object value) {
      return value instanceof JsonObject o ? o.encode() : value instanceof JsonArray a ? a.encode()
          : io.vertx.core.json.Json.encode(value);
    }

    private String substitute(String s, int i) {
      bind();
      Matcher m = VAR.matcher(s);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        String value = switch (name) {
          case "ref" -> ref;
          case "marker" -> marker;
          case "i" -> Integer.toString(i);
          case "newGroup" -> ConversationIds.newGroup();
          case "tok" -> token(m.group(2));
          default -> {
            String v = vars.get(name);
            if (v == null) {
              throw new IllegalStateException("case " + name() + ": no variable " + name);
            }
            yield v;
          }
        };
        m.appendReplacement(b, Matcher.quoteReplacement(value == null ? "" : value));
      }
      m.appendTail(b);
      return b.toString();
    }
  }

  /**
   * A token of a kind: {@code valid} (for {@value #ME}), {@code for-USER}, {@code none} (null: no token at all), or one
   * of the broken kinds below.
   */
  String token(String kind) {
    Instant now = Instant.now();
    Instant hour = now.plus(Duration.ofHours(1));
    if (kind.startsWith("for-")) {
      return fabric.token(kind.substring(4));
    }
    return switch (kind) {
      case "valid" -> fabric.token(ME);
      case "none" -> null;
      case "empty" -> "";
      case "malformed" -> "not-a-jwt";
      case "dots" -> "a.b.c";
      case "fourParts" -> fabric.token(ME) + ".extra";
      case "padded" -> "   " + fabric.token(ME) + "   ";
      case "wrongSignature" -> JWT.create().withSubject(ME).withExpiresAt(hour)
          .sign(Algorithm.HMAC256("a-completely-different-secret-of-32b"));
      case "tampered" -> tampered();
      case "algNone" -> unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims(ME, hour));
      case "hs512" -> JWT.create().withSubject(ME).withExpiresAt(hour).sign(Algorithm.HMAC512(secret));
      case "headerNotObject" -> b64("[1]") + "." + b64(claims(ME, hour)) + ".sig";
      case "payloadNotJson" -> b64("{\"alg\":\"HS256\"}") + "." + b64("{not json") + ".sig";
      case "noExp" -> JWT.create().withSubject(ME).sign(hs256);
      case "expired" -> JWT.create().withSubject(ME).withExpiresAt(now.minus(Duration.ofHours(1))).sign(hs256);
      case "expiredWithinLeeway" -> JWT.create().withSubject(ME).withExpiresAt(now.minusSeconds(2)).sign(hs256);
      case "livesTooLong" -> JWT.create().withSubject(ME).withExpiresAt(now.plus(Duration.ofDays(3))).sign(hs256);
      case "expString" -> JWT.create().withSubject(ME).withClaim("exp", "9999999999").sign(hs256);
      case "expHuge" -> JWT.create().withSubject(ME).withClaim("exp", Long.MAX_VALUE).sign(hs256);
      case "notBeforeFuture" -> JWT.create().withSubject(ME).withExpiresAt(hour).withNotBefore(now.plusSeconds(600))
          .sign(hs256);
      case "issuedInFuture" -> JWT.create().withSubject(ME).withExpiresAt(hour).withIssuedAt(now.plusSeconds(600))
          .sign(hs256);
      case "noSub" -> JWT.create().withExpiresAt(hour).sign(hs256);
      case "numericSub" -> JWT.create().withClaim("sub", 42).withExpiresAt(hour).sign(hs256);
      case "booleanSub" -> JWT.create().withClaim("sub", true).withExpiresAt(hour).sign(hs256);
      case "arraySub" -> JWT.create().withArrayClaim("sub", new String[] {ME}).withExpiresAt(hour).sign(hs256);
      case "objectSub" -> JWT.create().withClaim("sub", Map.of("id", ME)).withExpiresAt(hour).sign(hs256);
      case "nullSub" -> JWT.create().withNullClaim("sub").withExpiresAt(hour).sign(hs256);
      case "emptySub" -> JWT.create().withSubject("").withExpiresAt(hour).sign(hs256);
      case "spaceSub" -> JWT.create().withSubject("mal lory").withExpiresAt(hour).sign(hs256);
      case "controlSub" -> JWT.create().withSubject("mal\u0001lory").withExpiresAt(hour).sign(hs256);
      case "longSub" -> JWT.create().withSubject("m".repeat(65)).withExpiresAt(hour).sign(hs256);
      case "zeroWidthSub" -> JWT.create().withSubject("ad\u200Bmin").withExpiresAt(hour).sign(hs256);
      // Written as a JSON escape: a Java string with a lone surrogate would be encoded as "x?" before it is signed.
      case "loneSurrogateSub" -> signedRaw(hs256, "{\"sub\":\"x\\ud800\",\"exp\":" + hour.getEpochSecond() + "}");
      case "nfdSub" -> JWT.create().withSubject("jose\u0301").withExpiresAt(hour).sign(hs256);
      case "bidiSub" -> JWT.create().withSubject("\u202Eadmin").withExpiresAt(hour).sign(hs256);
      case "noBreakSpaceSub" -> JWT.create().withSubject("mal\u00A0lory").withExpiresAt(hour).sign(hs256);
      case "privateUseSub" -> JWT.create().withSubject("\uE000x").withExpiresAt(hour).sign(hs256);
      case "nfcSub" -> JWT.create().withSubject("jos\u00E9-" + ME).withExpiresAt(hour).sign(hs256);
      case "huge" -> JWT.create().withSubject(ME).withExpiresAt(hour).withClaim("pad", "p".repeat(12_000)).sign(hs256);
      default -> throw new IllegalStateException("no token kind " + kind);
    };
  }

  private static String claims(String sub, Instant exp) {
    return new JsonObject().put("sub", sub).put("exp", exp.getEpochSecond()).encode();
  }

  /** A valid token whose payload says another user, with the original signature. */
  private String tampered() {
    String[] parts = fabric.token(ME).split("\\.");
    return parts[0] + "." + b64(claims(PEER, Instant.now().plus(Duration.ofHours(1)))) + "." + parts[2];
  }

  /** An HS256 token over exactly this payload text. */
  private static String signedRaw(Algorithm hs256, String payload) {
    String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    String body = b64(payload);
    byte[] signature = hs256.sign(header.getBytes(StandardCharsets.US_ASCII), body.getBytes(StandardCharsets.US_ASCII));
    return header + "." + body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  private static String unsigned(String header, String payload) {
    return b64(header) + "." + b64(payload) + ".";
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
