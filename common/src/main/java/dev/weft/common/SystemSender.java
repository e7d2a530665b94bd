package dev.weft.common;

/**
 * The sender of what an app's backend writes as the system (the server API): the empty id, which no user can have
 * ({@link UserIds} needs at least one character), so no token can speak as it. Only a gateway's server API writes it.
 * A message from it goes to every current member of its conversation; a group change from it needs no admin.
 */
public final class SystemSender {

  public static final String ID = "";

  private SystemSender() {}

  public static boolean is(String from) {
    return ID.equals(from);
  }
}
