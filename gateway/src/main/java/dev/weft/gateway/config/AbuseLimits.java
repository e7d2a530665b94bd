package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits on what one client address, or one user across its sockets, may cost a gateway. All are per gateway: a load
 * balancer spreads an address over gateways, so the cluster allows up to (gateways x limit).
 *
 * <p>Per-address limits skip loopback clients (see {@code ClientAddress}): this machine is not a client from the network.
 *
 * @param maxConnectionsPerAddress WEFT_MAX_CONNECTIONS_PER_ADDRESS: open sockets from one client address (an IPv6
 *     address counts by its /64) on this gateway; more are refused with 429 {@code too_many_address_connections}
 *     (default 500: a NAT or a carrier-grade NAT puts many users behind one address)
 * @param connectRatePerAddress WEFT_CONNECT_RATE_PER_ADDRESS: upgrade attempts per second from one address, refused or
 *     not; over it, 429 {@code connect_rate_limited} (default 20)
 * @param connectBurstPerAddress WEFT_CONNECT_BURST_PER_ADDRESS: upgrade attempts one address may make at once above
 *     the rate (default 100)
 * @param sendRatePerUser WEFT_SEND_RATE_PER_USER: frames per second one user may send over all their sockets on this
 *     gateway, on top of each socket's WEFT_SEND_RATE; over it, {@code rate_limited} (default: twice WEFT_SEND_RATE,
 *     so 400; tied to it so that a deployment that raises the per-socket budget is not capped by a default it never set)
 * @param sendBurstPerUser WEFT_SEND_BURST_PER_USER: frames one user may send at once above that rate (default: twice
 *     WEFT_SEND_BURST, so 800)
 * @param httpRatePerAddress WEFT_HTTP_RATE_PER_ADDRESS: requests per second to the HTTP routes ({@code /v1/conversations}
 *     and history) from one address; over it, 429 {@code rate_limited} (default 20)
 * @param httpBurstPerAddress WEFT_HTTP_BURST_PER_ADDRESS: such requests at once above the rate (default 50)
 * @param trustedProxies WEFT_TRUSTED_PROXIES: comma-separated CIDRs (e.g. {@code 10.0.0.0/8,fd00::/8}) of load
 *     balancers whose {@code X-Forwarded-For} is believed. Empty (the default): the socket's peer is the client, and
 *     the header is ignored, so a client cannot choose its own address
 * @param requestTimeoutMs WEFT_HTTP_REQUEST_TIMEOUT_MS: a new TCP connection must deliver a whole request head within
 *     this long, and an HTTP (not upgraded) keep-alive connection must start its next request within it, or it is
 *     closed: a slowloris client holding half a request line costs a socket for this long only (default 10000)
 */
public record AbuseLimits(
    int maxConnectionsPerAddress,
    int connectRatePerAddress,
    int connectBurstPerAddress,
    int sendRatePerUser,
    int sendBurstPerUser,
    int httpRatePerAddress,
    int httpBurstPerAddress,
    List<String> trustedProxies,
    int requestTimeoutMs) {

  public AbuseLimits {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** {@code sendRate} and {@code sendBurst}: the per-socket WEFT_SEND_RATE and WEFT_SEND_BURST, for the defaults. */
  static AbuseLimits from(Env env, int sendRate, int sendBurst) {
    int connectRate = env.integer("WEFT_CONNECT_RATE_PER_ADDRESS", 20, 1, 1_000_000);
    int connectBurst = env.integer("WEFT_CONNECT_BURST_PER_ADDRESS", 100, 1, 1_000_000);
    int userRate = env.integer("WEFT_SEND_RATE_PER_USER", (int) Math.min(2L * sendRate, 2_000_000), 1, 2_000_000);
    int userBurst = env.integer("WEFT_SEND_BURST_PER_USER", (int) Math.min(2L * sendBurst, 2_000_000), 1, 2_000_000);
    int httpRate = env.integer("WEFT_HTTP_RATE_PER_ADDRESS", 20, 1, 1_000_000);
    int httpBurst = env.integer("WEFT_HTTP_BURST_PER_ADDRESS", 50, 1, 1_000_000);
    List<String> proxies = new ArrayList<>();
    for (String part : env.string("WEFT_TRUSTED_PROXIES", "").split(",")) {
      String cidr = part.trim();
      if (cidr.isEmpty()) {
        continue;
      }
      if (!validCidr(cidr)) {
        throw new ConfigException("WEFT_TRUSTED_PROXIES holds " + cidr
            + ", not a CIDR of IP literals (like 10.0.0.0/8 or fd00::/8)");
      }
      proxies.add(cidr);
    }
    return new AbuseLimits(
        env.integer("WEFT_MAX_CONNECTIONS_PER_ADDRESS", 500, 1, 1_000_000),
        connectRate, connectBurst, userRate, userBurst, httpRate, httpBurst, proxies,
        env.integer("WEFT_HTTP_REQUEST_TIMEOUT_MS", 10_000, 100, 600_000));
  }

  private static boolean validCidr(String cidr) {
    int slash = cidr.indexOf('/');
    String ip = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
    if (bytes == null) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    try {
      int bits = Integer.parseInt(cidr.substring(slash + 1));
      return bits >= 0 && bits <= bytes.length * 8;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
