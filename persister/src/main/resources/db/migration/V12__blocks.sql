-- Blocking (issue 16): each user's block of the other user of a one-to-one conversation, as the conversation's
-- latest block entry left it (`seq`: that entry's place in the stream; `active` false once unblocked). Block entries
-- are not rows of `messages`: the blocked user is not told, and history does not show them.
CREATE TABLE blocks (
  conv_id VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  blocker VARCHAR(64)  NOT NULL,
  active  BOOLEAN      NOT NULL,
  seq     BIGINT       NOT NULL,
  PRIMARY KEY (conv_id, blocker)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
