package dev.weft.common;

import java.time.Clock;
import java.time.Duration;

/**
 * {@code ./weft token <user> [hours]}: prints an HS256 client token signed with WEFT_JWT_SECRET (or the dev secret
 * under WEFT_DEV=1), for development and tests. A production deployment's tokens come from the app's identity
 * provider, signed RS256/ES256 with the keys its JWKS publishes (WEFT_JWT_JWKS_URL); this command never mints those.
 */
public final class TokenCommand {

  private TokenCommand() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: weft token <user> [valid-hours, default 24]");
      System.exit(2);
    }
    if (!UserIds.valid(args[0])) {
      System.err.println("not a valid user id: " + UserIds.RULE);
      System.exit(2);
    }
    try {
      long hours = args.length == 2 ? Long.parseLong(args[1]) : 24;
      Tokens tokens = new Tokens(JwtSettings.from(Env.system()), Clock.systemUTC());
      System.out.println(tokens.issue(args[0], Duration.ofHours(hours)));
    } catch (ConfigException e) {
      System.err.println("weft token: " + e.getMessage());
      System.exit(2);
    } catch (NumberFormatException e) {
      System.err.println("valid-hours must be a whole number");
      System.exit(2);
    } catch (IllegalStateException e) {
      System.err.println("weft token: " + e.getMessage()); // no secret: tokens come from the identity provider
      System.exit(2);
    } catch (IllegalArgumentException e) {
      System.err.println("weft token: " + e.getMessage()); // longer than the configured maximum lifetime
      System.exit(2);
    }
  }
}
