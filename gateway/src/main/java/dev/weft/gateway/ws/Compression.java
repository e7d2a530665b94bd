package dev.weft.gateway.ws;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket compression (permessage-deflate, RFC 7692): off unless WEFT_WS_COMPRESSION=1, and then
 * with the inflated size of every frame bounded before the memory is allocated.
 *
 * <p>Vert.x 5.0.7 builds its permessage-deflate handshaker without Netty's {@code maxAllocation}
 * ({@code HttpServerConnectionHandler.initializeWebSocketExtensions}), so the inflater grows its
 * buffer to whatever a frame inflates to: a 40 KiB frame became 40 MiB of heap and direct memory,
 * and tens of seconds of a stalled event loop. Vert.x has no option for the bound. So on each new
 * connection, right after Vert.x put its extension handler in the Netty pipeline and before any
 * request is read, {@link #boundInflation} swaps that handler for Netty's own with
 * {@code maxAllocation} set, and adds {@link InflateLimit} behind the inflater, which closes the
 * socket with 1009 when a frame would inflate past the bound.
 *
 * <p>Vert.x must still be told that permessage-deflate is supported: that option is also what lets
 * Netty's frame decoder accept frames with RSV1 set ({@code Http1xServerConnection.createHandshaker}).
 * Per-frame compression (deflate-frame, a pre-RFC draft) is never offered.
 */
public final class Compression {

  private static final Logger log = LoggerFactory.getLogger(Compression.class);

  /** The name Vert.x gives its extension handler (HttpServerConnectionHandler, 5.0.7). */
  private static final String VERTX_EXTENSION_HANDLER = "webSocketExtensionHandler";
  /** Vert.x's own handler, last in the pipeline; the WebSocket's after the upgrade. */
  private static final String VERTX_HANDLER = "handler";

  private Compression() {
  }

  /** Offers permessage-deflate when {@code enabled}, never deflate-frame. */
  public static HttpServerOptions configure(HttpServerOptions options, boolean enabled) {
    return options
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(enabled);
  }

  /**
   * A connection handler that bounds what one compressed frame may inflate to, in bytes. Vert.x calls it as each
   * connection is set up ({@code HttpServerConnectionHandler.handle}): after it installed its extension handler,
   * before the first byte of the upgrade request is read.
   */
  public static Handler<HttpConnection> boundInflation(HttpServerOptions options, int maxInflatedBytes) {
    return conn -> {
      if (!(conn instanceof ConnectionBase base)) {
        // Vert.x changed: the pipeline is out of reach, so the unbounded inflater may be in it. Refuse the connection
        // rather than serve it; the message says how to get service back.
        log.error("cannot bound WebSocket inflation on a {}: closing it; set WEFT_WS_COMPRESSION=0", conn.getClass().getName());
        conn.close();
        return;
      }
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(VERTX_EXTENSION_HANDLER) == null) {
        return; // HTTP/2, or WebSockets disabled: no inflater to bound.
      }
      pipeline.replace(VERTX_EXTENSION_HANDLER, VERTX_EXTENSION_HANDLER, new WebSocketServerExtensionHandler(
          new PerMessageDeflateServerExtensionHandshaker(
              options.getWebSocketCompressionLevel(),
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
              PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              options.getWebSocketAllowServerNoContext(),
              options.getWebSocketPreferredClientNoContext(),
              maxInflatedBytes)));
      pipeline.addBefore(VERTX_HANDLER, InflateLimit.class.getName(), new InflateLimit(maxInflatedBytes));
    };
  }

  /**
   * Behind the inflater (which the extension handler inserts right after itself on the upgrade): turns its
   * "buffer has reached maximum size" into a 1009 close. Without it Vert.x would drop the connection unexplained.
   */
  static final class InflateLimit extends ChannelInboundHandlerAdapter {

    /** Netty's inflater, named by its class name when the extension handler adds it. */
    private static final String INFLATER =
        "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateDecoder";

    private final int maxInflatedBytes;
    private boolean closing;

    InflateLimit(int maxInflatedBytes) {
      this.maxInflatedBytes = maxInflatedBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (closing) {
        ReferenceCountUtil.release(msg); // Frames already read behind the one refused.
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!isInflateLimit(cause)) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      if (closing) {
        return;
      }
      closing = true;
      // The frames behind this one in the same read would each be inflated up to the bound again before the close
      // is done: take the inflater out, so they arrive here still compressed, to be dropped.
      if (ctx.pipeline().get(INFLATER) != null) {
        ctx.pipeline().remove(INFLATER);
      }
      ctx.writeAndFlush(new CloseWebSocketFrame(FrameHandler.CLOSE_TOO_BIG,
          "compressed message inflates past " + maxInflatedBytes + " bytes"))
          .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Netty's ZlibDecoder.prepareDecompressBuffer (4.2.9) says so in its message only; any other
     * DecompressionException (corrupt deflate data) goes on to Vert.x, which drops the connection.
     */
    private static boolean isInflateLimit(Throwable cause) {
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof DecompressionException && t.getMessage() != null
            && t.getMessage().startsWith("Decompression buffer has reached maximum size")) {
          return true;
        }
      }
      return false;
    }
  }
}
