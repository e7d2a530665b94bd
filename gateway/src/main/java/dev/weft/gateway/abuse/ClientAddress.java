package dev.weft.gateway.abuse;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request comes from, as the per-address limits count it.
 *
 * <p>The socket's peer, unless that peer is a trusted proxy (WEFT_TRUSTED_PROXIES): then {@code X-Forwarded-For} is
 * read from the right, past every trusted hop, and the first address no trusted proxy vouches for is the client.
 * Entries left of it were written by the client and are never believed, so a client cannot forge its address; with
 * no trusted proxies the header is ignored altogether. PROXY protocol is not read: a TCP load balancer in front of
 * the gateway would make every client one address, so run an HTTP one (the Kubernetes ingress) that sets the header.
 *
 * <p>The key of an IPv6 address is its /64: one host is routinely given a whole /64, and counting each of its 2^64
 * addresses apart would be no limit at all. An IPv4-mapped IPv6 address is its IPv4 address. Only IP literals are
 * parsed, never looked up: this runs on an event loop.
 *
 * <p>A loopback client is {@link #LOCAL}, which the per-address limits do not count: it is this machine (a load
 * generator, a test, a local sidecar), never a client from the network. A local sidecar proxy belongs in
 * WEFT_TRUSTED_PROXIES, so that its clients are told apart by X-Forwarded-For.
 */
public final class ClientAddress {

  /** The key of a loopback client: not limited per address. */
  public static final String LOCAL = "local";

  /** True unless the per-address limits skip this key. */
  public static boolean limited(String key) {
    return !LOCAL.equals(key);
  }

  private record Cidr(byte[] network, int bits) {
    boolean contains(byte[] ip) {
      if (ip.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (ip[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (ip[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Cidr> trusted = new ArrayList<>();

  /** {@code cidrs} as AbuseLimits validated them: IP literals with an optional /bits. */
  public ClientAddress(List<String> cidrs) {
    for (String cidr : cidrs) {
      int slash = cidr.indexOf('/');
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? cidr : cidr.substring(0, slash));
      int bits = slash < 0 ? ip.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
      trusted.add(new Cidr(ip, bits));
    }
  }

  /** The limits' key for the request's client. */
  public String of(HttpServerRequest request) {
    return of(request.remoteAddress(), request.headers().getAll("X-Forwarded-For"));
  }

  String of(SocketAddress peer, List<String> forwardedFor) {
    byte[] ip = peer == null || peer.hostAddress() == null ? null : NetUtil.createByteArrayFromIpAddressString(peer.hostAddress());
    if (ip == null) {
      return peer == null ? "unknown" : String.valueOf(peer.hostAddress()); // a Unix socket: one local peer
    }
    if (trusted(ip) && !forwardedFor.isEmpty()) {
      List<String> hops = new ArrayList<>();
      for (String header : forwardedFor) {
        for (String hop : header.split(",")) {
          hops.add(hop.trim());
        }
      }
      for (int i = hops.size() - 1; i >= 0; i--) {
        byte[] hop = NetUtil.createByteArrayFromIpAddressString(stripPort(hops.get(i)));
        if (hop == null) {
          break; // garbage where a trusted proxy should have written an address: keep the last trusted hop
        }
        ip = hop;
        if (!trusted(hop)) {
          break;
        }
      }
    }
    return key(ip);
  }

  private boolean trusted(byte[] ip) {
    for (Cidr c : trusted) {
      if (c.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /** "1.2.3.4:5678" and "[::1]:5678" as some proxies write them: the address only. */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end < 0 ? hop : hop.substring(1, end);
    }
    int colon = hop.indexOf(':');
    return colon > 0 && hop.indexOf(':', colon + 1) < 0 ? hop.substring(0, colon) : hop;
  }

  private static boolean mappedIpv4(byte[] ip) {
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
  }

  private static boolean ipv6Loopback(byte[] ip) {
    for (int i = 0; i < 15; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[15] == 1;
  }

  private static String key(byte[] ip) {
    if (ip.length == 16 && mappedIpv4(ip)) {
      ip = java.util.Arrays.copyOfRange(ip, 12, 16);
    }
    if ((ip.length == 4 && (ip[0] & 0xff) == 127) || (ip.length == 16 && ipv6Loopback(ip))) {
      return LOCAL;
    }
    if (ip.length == 4) {
      return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      b.append(Integer.toHexString(((ip[i] & 0xff) << 8) | (ip[i + 1] & 0xff))).append(':');
    }
    return b.append(":/64").toString();
  }
}
