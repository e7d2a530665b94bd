package dev.weft.gateway.abuse;

import dev.weft.gateway.config.AbuseLimits;
import dev.weft.gateway.http.HttpErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import java.util.function.LongSupplier;

/**
 * Requests per second from one client address to the gateway's HTTP routes (WEFT_HTTP_RATE_PER_ADDRESS): each costs a
 * token check and a persister read, so a flood from one address would slow everyone's history. Checked before the
 * token, so a flood of bad tokens is bounded too. One instance per gateway, shared by its event loops.
 */
public final class HttpRequestLimit {

  private final KeyedRateLimiter perAddress;
  private final ClientAddress addresses;
  private final int rate;
  private final Counter refused;

  public HttpRequestLimit(AbuseLimits limits, ClientAddress addresses, LongSupplier nanoClock, MeterRegistry registry) {
    this.refused = Counter.builder("weft.gateway.http.refused").tag("reason", "rate_limited")
        .description("HTTP requests refused by a limit, by reason").register(registry);
    this.perAddress = new KeyedRateLimiter(limits.httpRatePerAddress(), limits.httpBurstPerAddress(), nanoClock);
    this.addresses = addresses;
    this.rate = limits.httpRatePerAddress();
  }

  /** True when the request may go on; false when it was answered with 429 {@code rate_limited}. */
  public boolean admit(RoutingContext ctx) {
    String address = addresses.of(ctx.request());
    if (!ClientAddress.limited(address) || perAddress.tryAcquire(address)) {
      return true;
    }
    refused.increment();
    ctx.response().putHeader("Retry-After", "1");
    HttpErrors.send(ctx.response(), 429, "rate_limited",
        "more than " + rate + " requests per second from this address (WEFT_HTTP_RATE_PER_ADDRESS); retry later");
    return false;
  }
}
