package dev.weft.bench;

import io.vertx.core.json.JsonObject;

/** Receives every frame but {@code welcome} that a user's socket gets; called on that socket's event loop. */
interface FrameListener {

  FrameListener IGNORE = (user, op, frame) -> {};

  void onFrame(int user, String op, JsonObject frame);
}
