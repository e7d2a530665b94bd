package dev.weft.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private static SocketAddress peer(String ip) {
    return SocketAddress.inetSocketAddress(40000, ip);
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    ClientAddress a = new ClientAddress(List.of());
    assertEquals("203.0.113.7", a.of(peer("203.0.113.7"), List.of("1.2.3.4")));
  }

  @Test
  void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
    ClientAddress a = new ClientAddress(List.of("10.0.0.0/8"));
    assertEquals("198.51.100.9", a.of(peer("10.1.2.3"), List.of("198.51.100.9")));
    // The client wrote "1.2.3.4" itself; the proxy appended what it saw.
    assertEquals("198.51.100.9", a.of(peer("10.1.2.3"), List.of("1.2.3.4, 198.51.100.9")));
    assertEquals("198.51.100.9", a.of(peer("10.1.2.3"), List.of("1.2.3.4, 198.51.100.9, 10.9.9.9")));
    assertEquals("198.51.100.9", a.of(peer("10.1.2.3"), List.of("1.2.3.4", "198.51.100.9:5555")));
  }

  @Test
  void anUntrustedPeerCannotClaimAnotherAddress() {
    ClientAddress a = new ClientAddress(List.of("10.0.0.0/8"));
    assertEquals("203.0.113.7", a.of(peer("203.0.113.7"), List.of("10.0.0.1")));
  }

  @Test
  void garbageInTheHeaderFallsBackToTheLastTrustedHop() {
    ClientAddress a = new ClientAddress(List.of("10.0.0.0/8"));
    assertEquals("10.1.2.3", a.of(peer("10.1.2.3"), List.of("not-an-ip")));
    assertEquals("10.1.2.3", a.of(peer("10.1.2.3"), List.of("")));
  }

  @Test
  void loopbackIsLocalAndNotLimited() {
    ClientAddress a = new ClientAddress(List.of());
    assertEquals(ClientAddress.LOCAL, a.of(peer("127.0.0.1"), List.of()));
    assertEquals(ClientAddress.LOCAL, a.of(peer("::1"), List.of()));
    assertEquals(false, ClientAddress.limited(a.of(peer("127.0.0.2"), List.of())));
    assertEquals(true, ClientAddress.limited(a.of(peer("::2"), List.of())));
  }

  @Test
  void anIpv4MappedAddressIsItsIpv4Address() {
    ClientAddress a = new ClientAddress(List.of());
    assertEquals("198.51.100.7", a.of(peer("::ffff:198.51.100.7"), List.of()));
    assertEquals(ClientAddress.LOCAL, a.of(peer("::ffff:127.0.0.1"), List.of()));
  }

  @Test
  void anIpv6ClientCountsByItsSlash64() {
    ClientAddress a = new ClientAddress(List.of());
    assertEquals("2001:db8:1:2::/64", a.of(peer("2001:db8:1:2::1"), List.of()));
    assertEquals("2001:db8:1:2::/64", a.of(peer("2001:db8:1:2:ffff:ffff:ffff:ffff"), List.of()));
  }
}
