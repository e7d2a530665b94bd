package dev.weft.it;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One HTTP/1.1 request on a bare socket, for answers a library hides: a refused upgrade's status and JSON body. */
final class RawUpgrade {

  record Answer(int status, JsonObject body, String head) {
    String code() {
      return body == null ? null : body.getString("code");
    }
  }

  private RawUpgrade() {}

  /** A WebSocket upgrade of {@code /v1/ws?query} with the token (if any) and extra header lines; the refusal read back. */
  static Answer upgrade(int port, String query, String token, String extraHeaders) throws IOException {
    String request = "GET /v1/ws" + (query == null ? "" : "?" + query) + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + extraHeaders + "\r\n";
    return exchange(port, request);
  }

  static Answer get(int port, String path, String extraHeaders) throws IOException {
    return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
        + extraHeaders + "\r\n");
  }

  private static Answer exchange(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String head = RawHttp.readHead(in);
      int status = Integer.parseInt(head.substring(9, 12));
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      if (status == 101 || length == 0) {
        return new Answer(status, null, head);
      }
      byte[] body = in.readNBytes(length);
      return new Answer(status, new JsonObject(new String(body, StandardCharsets.UTF_8)), head);
    }
  }

}
