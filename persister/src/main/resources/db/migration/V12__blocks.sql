-- Blocking (issue 16): each user's block of the other user of a one-to-one conversation, as the conversation's
-- latest block entry from them left it (`seq`: that entry's place in the stream; `active` false once unblocked).
-- Block entries are not rows of `messages`: the blocked user is not told, and history does not show them. Gateways
-- load a connecting user's rows, both ways: what they block, and who blocks them.
CREATE TABLE blocks (
  conv_id VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  blocker VARCHAR(64)  NOT NULL,
  blocked VARCHAR(64)  NOT NULL,
  active  BOOLEAN      NOT NULL,
  seq     BIGINT       NOT NULL,
  PRIMARY KEY (conv_id, blocker),
  KEY blocks_by_blocker (blocker),
  KEY blocks_by_blocked (blocked)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
