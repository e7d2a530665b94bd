/**
 * The Weft router: hands every inbound message to the gateways holding its members' sessions.
 *
 * <p>Public: {@link dev.weft.router.RouterConfig} (every setting, from the environment),
 * {@link dev.weft.router.RouterApplication} (start / close), {@link dev.weft.router.RouterMain}.
 * Package-private, one concern each:
 * <ul>
 *   <li>{@code SessionTableReader}: follows the compacted sessions topic from its beginning, on its own thread;
 *   <li>{@code SessionTable}: session → (user, gateway) and user → gateways with session counts; lock-free reads;
 *   <li>{@code InboundRouter}: the group consumer on the inbound topic and the delivery producer, on one thread;
 *       flush, then commit, per batch; rewind and retry on failure;
 *   <li>{@code Fanout}: groups one message's members by gateway, reusing its buffers;
 *   <li>{@code Backoff}: capped exponential retry delays.
 * </ul>
 */
package dev.weft.router;
