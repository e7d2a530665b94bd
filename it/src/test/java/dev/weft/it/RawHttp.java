package dev.weft.it;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request written byte for byte on a bare socket, so a test can send what no HTTP client would: any
 * method, a WebSocket upgrade with a chosen body of headers, duplicated or oversized headers. Reads the answer's
 * status and, unless it is a 101, its body.
 */
final class RawHttp {

  /** The status line's code, the head as read, and the body (empty for a 101). */
  record Answer(int status, String head, String body) {
    /** The JSON body's {@code code}, or null when the body is not a JSON object. */
    String code() {
      try {
        return new JsonObject(body).getString("code");
      } catch (RuntimeException e) {
        return null;
      }
    }
  }

  private RawHttp() {}

  /** Sends {@code method target HTTP/1.1} with the given header lines (each "Name: value", no CRLF), then reads. */
  static Answer exchange(int port, String method, String target, java.util.List<String> headers) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n");
      for (String h : headers) {
        request.append(h).append("\r\n");
      }
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      int status = Integer.parseInt(head.substring(9, 12));
      if (status == 101) {
        return new Answer(status, head, "");
      }
      return new Answer(status, head, readBody(socket, in, head));
    }
  }

  private static String readBody(Socket socket, InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("content-length:");
    if (at >= 0) {
      int end = lower.indexOf("\r\n", at);
      int length = Integer.parseInt(head.substring(at + 15, end).trim());
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      // No length: the body ends when the server closes, or (a kept-alive connection) when nothing more comes soon.
      socket.setSoTimeout(500);
      in.transferTo(body);
    } catch (SocketTimeoutException e) {
      // A kept-alive connection with no length: what came is the body.
    }
    String text = body.toString(StandardCharsets.UTF_8);
    return lower.contains("transfer-encoding: chunked") ? dechunk(text) : text;
  }

  private static String dechunk(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int eol = text.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(text.substring(i, eol).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(text, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  /** The head of an HTTP answer, up to and with its blank line; the body is left in the stream. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the answer's head ended: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
