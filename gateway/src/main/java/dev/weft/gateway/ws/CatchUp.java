package dev.weft.gateway.ws;

import dev.weft.common.LogSafe;
import dev.weft.gateway.config.CatchUpSettings;
import dev.weft.gateway.http.CatchUpReads;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a resuming connection up to date after its welcome: what it missed from history, in order, then
 * {@code synced}, then the live traffic held meanwhile, minus what history already gave.
 *
 * <p>No gap: the session was announced before the welcome, so every message appended after the welcome is routed
 * to this socket live (and held while catching up); every message appended before the read began is in history,
 * because the persister waits for that before answering. The cursor filter drops what both gave.
 */
final class CatchUp {

  private static final Logger log = LoggerFactory.getLogger(CatchUp.class);
  /** Closed when history cannot be read: the client reconnects with the cursor it has. */
  static final short CLOSE_UNAVAILABLE = 1011;
  /** Closed when the persisters run as many catch-ups as they may (RFC 6455 "try again later"): back off, then resume. */
  static final short CLOSE_TRY_AGAIN_LATER = 1013;
  /** Receipts stored within this long before the last catch-up are replayed too: persisters' clocks differ. */
  private static final long RECEIPT_CLOCK_SLACK_MS = 10_000;

  private final CatchUpReads reads;
  private final CatchUpSettings settings;

  CatchUp(CatchUpReads reads, CatchUpSettings settings) {
    this.reads = reads;
    this.settings = settings;
  }

  /** Resumes from the connection's cursor. Event loop only, after the welcome. */
  void resume(Connection c) {
    page(c, c.cursor().asOf() - RECEIPT_CLOCK_SLACK_MS);
  }

  /** A device with nothing: recent history, then live. {@code reset} when it came with a cursor of another epoch. */
  void fresh(Connection c, boolean reset) {
    onLoop(c, reads.recent(c.user, settings.newDeviceMessages(), settings.newDeviceConversations()), body ->
        // Recent history is per conversation, not in partition order: no filter; the cursor is set when it ends.
        writeAll(c, frames(body, false), 0, () -> finish(c, body, reset)));
  }

  private void page(Connection c, Long receiptsSince) {
    onLoop(c, reads.page(c.user, c.cursor().next(), settings.pageSize(), receiptsSince), body ->
        writeAll(c, frames(body, true), 0, () -> {
          if (body.getBoolean("complete", false)) {
            finish(c, body, false);
          } else {
            page(c, null);
          }
        }));
  }

  private void finish(Connection c, JsonObject body, boolean reset) {
    Cursor cursor = c.cursor();
    cursor.reach(ends(body.getJsonArray("ends")));
    cursor.asOf(body.getLong("asOf"));
    c.write(Frames.synced(cursor.encode(), reset));
    c.caughtUp();
  }

  /** One frame of a catch-up answer; {@code partition} and {@code seq} are set for messages that pass the filter. */
  private record Out(int partition, long seq, String frame, boolean filtered) {}

  /** The answer's receipts, then its messages. */
  private static List<Out> frames(JsonObject body, boolean filtered) {
    List<Out> out = new ArrayList<>();
    JsonArray receipts = body.getJsonArray("receipts", new JsonArray());
    for (int i = 0; i < receipts.size(); i++) {
      JsonObject r = receipts.getJsonObject(i);
      long delivered = r.getLong("delivered", -1L);
      long read = r.getLong("read", -1L);
      if (delivered >= 0) {
        out.add(new Out(-1, -1, Frames.receipt(r.getString("conv"), r.getString("user"), "delivered", delivered), false));
      }
      if (read >= 0) {
        out.add(new Out(-1, -1, Frames.receipt(r.getString("conv"), r.getString("user"), "read", read), false));
      }
    }
    JsonArray messages = body.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      int partition = ((Number) m.remove("part")).intValue();
      out.add(new Out(partition, m.getLong("seq"), m.encode(), filtered));
    }
    return out;
  }

  /**
   * Writes while the socket has room, and waits for it to drain when it has not: a slow reader slows its own
   * catch-up instead of filling the gateway's memory.
   */
  private static void writeAll(Connection c, List<Out> frames, int from, Runnable then) {
    for (int i = from; i < frames.size(); i++) {
      if (!c.isOpen()) {
        return;
      }
      if (!c.hasRoom()) {
        int resumeAt = i;
        c.whenRoom(() -> writeAll(c, frames, resumeAt, then));
        return;
      }
      Out o = frames.get(i);
      if (o.filtered()) {
        c.writeMessage(o.partition(), o.seq(), o.frame());
      } else {
        c.write(o.frame());
      }
    }
    then.run();
  }

  private static long[] ends(JsonArray ends) {
    long[] out = new long[ends.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ends.getLong(i);
    }
    return out;
  }

  /** Continues on the socket's event loop; a failed read closes the socket so the client retries with its cursor. */
  private static void onLoop(Connection c, Future<JsonObject> read, Consumer<JsonObject> then) {
    read.onComplete((AsyncResult<JsonObject> r) -> c.context.runOnContext(v -> {
      if (!c.isOpen()) {
        return;
      }
      if (r.failed() && r.cause() instanceof CatchUpReads.Busy) {
        c.closeReason = "catchup_busy";
        c.socket.close(CLOSE_TRY_AGAIN_LATER, "catchup_busy: too many catch-ups at once; reconnect later with your cursor");
        return;
      }
      if (r.failed()) {
        log.warn("could not catch {}/{} up: {}", LogSafe.of(c.user), LogSafe.of(c.device), r.cause().toString());
        c.socket.close(CLOSE_UNAVAILABLE, "unavailable: history cannot be read now; reconnect with your cursor");
        return;
      }
      then.accept(r.result());
    }));
  }
}
