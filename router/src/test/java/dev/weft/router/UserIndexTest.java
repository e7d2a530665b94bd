package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserIndexTest {

  @Test
  void idsThatFillPagesExactlyAreAllFoundAgain() {
    // 15 characters and their length byte: 4,096 ids fill a 64 KiB page to its last byte. The second page so filled
    // once sent the next id back to the start of that page, over the ids already there (found by ./weft scale).
    UserIndex index = new UserIndex();
    List<String> ids = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < 3 * 4_096 + 100; i++) {
      String id = String.format("u%014d", i);
      ids.add(id);
      numbers.add(index.add(id));
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(numbers.get(i), index.find(ids.get(i)), ids.get(i));
    }
    assertEquals(ids.size(), index.size());
  }
}
