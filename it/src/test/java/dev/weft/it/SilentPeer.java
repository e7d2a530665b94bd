package dev.weft.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket upgrade over a plain socket, after which the "client" never reads or answers again:
 * a half-open connection, or a reader that cannot keep up. No WebSocket library behaves this way.
 */
final class SilentPeer {

  private SilentPeer() {}

  static Socket upgrade(int port, String token) throws Exception {
    Socket s = new Socket();
    // A small window, so the gateway's writes pile up on its side instead of in this socket's buffer.
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port));
    OutputStream out = s.getOutputStream();
    out.write(("GET /v1/ws?access_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed during the upgrade: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new AssertionError("upgrade refused: " + head);
    }
    return s;
  }
}
