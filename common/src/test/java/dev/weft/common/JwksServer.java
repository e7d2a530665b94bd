package dev.weft.common;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An identity provider for tests: key pairs made here, their public halves served as a JWKS document over real
 * HTTP on a loopback port, the document swappable to rotate keys. Public so the integration tests can use it too.
 */
public final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final AtomicReference<String> document = new AtomicReference<>("{\"keys\":[]}");
  private final AtomicInteger reads = new AtomicInteger();

  public JwksServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/jwks.json", exchange -> {
      reads.incrementAndGet();
      byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
  }

  /** Settings for this server, re-read every {@code refresh}, early re-reads at most every {@code minRefetch}. */
  public JwtSettings.JwksSettings settings(Duration refresh, Duration minRefetch) {
    return new JwtSettings.JwksSettings(url(), refresh, minRefetch, Duration.ofSeconds(2));
  }

  /** From now on the document holds exactly these keys' public halves. */
  public void publish(Key... keys) {
    document.set(new JWKSet(Arrays.stream(keys).map(Key::jwk).toList()).toString());
  }

  public void publishRaw(String json) {
    document.set(json);
  }

  /** How many times the document was read. */
  public int reads() {
    return reads.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** A key pair with a kid; {@link #jwk()} is its public half as the provider publishes it. */
  public record Key(String kid, KeyPair pair, JWK jwk) {

    public static Key rsa(String kid) {
      return rsa(kid, 2048);
    }

    public static Key rsa(String kid, int bits) {
      KeyPair pair = generate("RSA", g -> g.initialize(bits));
      return new Key(kid, pair, new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).keyUse(KeyUse.SIGNATURE).build());
    }

    public static Key ec(String kid) {
      KeyPair pair = generate("EC", g -> g.initialize(new ECGenParameterSpec("secp256r1")));
      return new Key(kid, pair, new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).keyID(kid).build());
    }

    /** The java-jwt algorithm that signs as this key. */
    public com.auth0.jwt.algorithms.Algorithm signer() {
      if (pair.getPublic() instanceof RSAPublicKey pub) {
        return com.auth0.jwt.algorithms.Algorithm.RSA256(pub, (RSAPrivateKey) pair.getPrivate());
      }
      return com.auth0.jwt.algorithms.Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    /** A token for {@code user}, valid for {@code validity}, signed with this key and naming its kid. */
    public String token(String user, Duration validity) {
      return com.auth0.jwt.JWT.create().withKeyId(kid).withSubject(user)
          .withExpiresAt(java.time.Instant.now().plus(validity)).sign(signer());
    }

    private interface Init {
      void apply(KeyPairGenerator g) throws GeneralSecurityException;
    }

    private static KeyPair generate(String type, Init init) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance(type);
        init.apply(g);
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
