package dev.weft.it;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * A WebSocket client written on a bare {@link Socket}, for tests that must put bytes on the wire no
 * library would: here, permessage-deflate (RFC 7692) frames with RSV1 set, whatever the server
 * answered in the handshake.
 */
final class RawWebSocket implements AutoCloseable {

  /** What a close without a close frame reads as, as in the JDK client and browsers. */
  static final int ABNORMAL = 1006;

  /** RFC 7692 §7.2.1: a sender removes these four bytes of a sync flush, the receiver appends them. */
  private static final byte[] SYNC_TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final OutputStream out;
  private final String extensions;
  private final BlockingQueue<JsonObject> texts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  /** Context takeover: the server's deflate stream runs on across messages, so one inflater does too. */
  private final Inflater inflater = new Inflater(true);

  private RawWebSocket(Socket socket, String extensions) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.extensions = extensions;
  }

  /**
   * Upgrades to a WebSocket on {@code /v1/ws}, offering permessage-deflate; throws if the answer is not 101 within
   * 10 s.
   */
  static RawWebSocket open(int port, String token) throws IOException {
    return open(port, token, "");
  }

  /** The same, with more request header lines ({@code "Name: value\r\n"} each), e.g. X-Forwarded-For. */
  static RawWebSocket open(int port, String token, String extraHeaders) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request = "GET /v1/ws HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        + "Authorization: Bearer " + token + "\r\n" + extraHeaders + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    String head = RawHttp.readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head);
    }
    String extensions = "";
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-extensions:")) {
        extensions = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    socket.setSoTimeout(0);
    RawWebSocket ws = new RawWebSocket(socket, extensions);
    Thread reader = new Thread(() -> ws.readLoop(new DataInputStream(in)), "raw-ws-reader-" + port);
    reader.setDaemon(true);
    reader.start();
    return ws;
  }

  /** The server's Sec-WebSocket-Extensions answer; empty when it accepted none. */
  String extensions() {
    return extensions;
  }

  boolean deflateNegotiated() {
    return extensions.toLowerCase(Locale.ROOT).contains("permessage-deflate");
  }

  /**
   * The payload of one compressed message: raw deflate (no zlib header) of a text, sync-flushed, its
   * trailing 00 00 ff ff removed. Streamed through the deflater, so a 40 MiB text is never a String.
   */
  static byte[] deflate(String head, char filler, int fillerCount, String tail) {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, deflater, 64 * 1024, true)) {
      z.write(head.getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) filler);
      for (int left = fillerCount; left > 0; left -= chunk.length) {
        z.write(chunk, 0, Math.min(left, chunk.length));
      }
      z.write(tail.getBytes(StandardCharsets.UTF_8));
      z.flush();
      byte[] bytes = compressed.toByteArray();
      if (!Arrays.equals(bytes, bytes.length - 4, bytes.length, SYNC_TAIL, 0, 4)) {
        throw new IllegalStateException("a sync flush ends with 00 00 ff ff");
      }
      // Not closing the stream first: closing would finish it with a final block, which a
      // permessage-deflate message must not carry when the context is taken over.
      return Arrays.copyOf(bytes, bytes.length - 4);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      deflater.end();
    }
  }

  /** Sends one text message, uncompressed. */
  void send(JsonObject frame) throws IOException {
    writeFrame(0x80 | 0x1, frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one text message compressed (RSV1 set), whether or not the server agreed to compression. */
  void sendCompressed(byte[] deflated) throws IOException {
    writeFrame(0x80 | 0x40 | 0x1, deflated);
  }

  void sendCompressed(JsonObject frame) throws IOException {
    sendCompressed(deflate(frame.encode(), ' ', 0, ""));
  }

  /** The next text message, inflated when it came compressed. */
  JsonObject next(Duration timeout) {
    return WsClient.poll(texts, timeout);
  }

  /** The server's close code, {@link #ABNORMAL} when the connection ended without a close frame; null if still open. */
  Integer closeCode(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing: nothing left to tell anyone.
    }
    closed.complete(ABNORMAL);
  }

  /**
   * Writes one frame as given: {@code firstByte} holds FIN, RSV1-3 and the opcode, so a test can send any of them,
   * valid or not (an unknown opcode, a fragmented control frame, a text frame of bytes that are not UTF-8).
   */
  void sendRaw(int firstByte, byte[] payload, boolean masked) throws IOException {
    writeFrame(firstByte, payload, masked);
  }

  private void writeFrame(int firstByte, byte[] payload) throws IOException {
    writeFrame(firstByte, payload, true);
  }

  private synchronized void writeFrame(int firstByte, byte[] payload, boolean masking) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(firstByte);
    int maskBit = masking ? 0x80 : 0;
    if (payload.length < 126) {
      frame.write(maskBit | payload.length);
    } else if (payload.length < 65536) {
      frame.write(maskBit | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift));
      }
    }
    if (!masking) {
      out.write(frame.toByteArray());
      out.write(payload);
      out.flush();
      return;
    }
    // A client masks every frame (RFC 6455 §5.3); a server closes on an unmasked one.
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    frame.write(masked);
    out.write(frame.toByteArray());
    out.flush();
  }

  private void readLoop(DataInputStream in) {
    try {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      boolean compressed = false;
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        int opcode = b0 & 0x0f;
        boolean fin = (b0 & 0x80) != 0;
        switch (opcode) {
          case 0x1, 0x2, 0x0 -> {
            if (opcode != 0x0) {
              compressed = (b0 & 0x40) != 0;
              message.reset();
            }
            message.write(payload);
            if (fin && opcode != 0x2) {
              byte[] body = compressed ? inflate(message.toByteArray()) : message.toByteArray();
              texts.add(new JsonObject(new String(body, StandardCharsets.UTF_8)));
            }
          }
          case 0x8 -> {
            closed.complete(payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005);
            socket.close();
            return;
          }
          case 0x9 -> writeFrame(0x80 | 0xA, payload);
          default -> { }
        }
      }
    } catch (IOException | DataFormatException e) {
      closed.complete(ABNORMAL);
    }
  }

  private byte[] inflate(byte[] deflated) throws DataFormatException {
    byte[] input = Arrays.copyOf(deflated, deflated.length + 4);
    System.arraycopy(SYNC_TAIL, 0, input, deflated.length, 4);
    inflater.setInput(input);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (true) {
      int n = inflater.inflate(buf);
      if (n > 0) {
        plain.write(buf, 0, n);
      } else if (inflater.needsInput() || inflater.finished()) {
        return plain.toByteArray();
      } else {
        throw new DataFormatException("the server's deflate stream needs a dictionary");
      }
    }
  }

}
