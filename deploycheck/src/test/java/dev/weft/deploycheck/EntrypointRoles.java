package dev.weft.deploycheck;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the image knows: the roles deploy/entrypoint.sh accepts and the uid deploy/Dockerfile runs as. */
final class EntrypointRoles {

  private static final Pattern ROLE = Pattern.compile("^\\s*([a-z][a-z-]*)\\)\\s+main=", Pattern.MULTILINE);
  private static final Pattern UID = Pattern.compile("^USER\\s+(\\d+)", Pattern.MULTILINE);

  private EntrypointRoles() {}

  static Set<String> roles() {
    Set<String> roles = new TreeSet<>();
    Matcher m = ROLE.matcher(Repo.read("deploy/entrypoint.sh"));
    while (m.find()) {
      roles.add(m.group(1));
    }
    if (!roles.containsAll(KubernetesManifestsTest.ROLES)) {
      throw new AssertionError("deploy/entrypoint.sh: expected the roles " + KubernetesManifestsTest.ROLES + ", found " + roles);
    }
    return roles;
  }

  static int imageUid() {
    Matcher m = UID.matcher(Repo.read("deploy/Dockerfile"));
    if (!m.find()) {
      throw new AssertionError("deploy/Dockerfile: no numeric USER");
    }
    return Integer.parseInt(m.group(1));
  }
}
