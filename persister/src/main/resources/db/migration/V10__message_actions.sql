-- Edits, deletes and reactions (issue 16). Each is a row of `messages` too (its own seq in the conversation's
-- stream), with `action` describing it as JSON and `target_id` naming the message it acts on; applying it changes
-- the target: an edit replaces its text (`edited_seq`), a delete empties its text and content, and its edits' texts
-- (`deleted_seq`), a reaction is a row of `reactions`, one per user and message.
ALTER TABLE messages
  ADD COLUMN action      TEXT        NULL,
  ADD COLUMN target_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN edited_seq  BIGINT      NULL,
  ADD COLUMN deleted_seq BIGINT      NULL,
  ADD KEY messages_target (conv_id, target_id);

CREATE TABLE reactions (
  conv_id   VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target_id VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id   VARCHAR(64)  NOT NULL,
  emoji     VARCHAR(32)  NOT NULL,
  seq       BIGINT       NOT NULL,
  PRIMARY KEY (conv_id, target_id, user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
