-- The per-user conversation index that catch-up reads: which conversations a user is in, the inbound
-- partition holding each (a conversation is one key, hence one partition), and the ts of its latest
-- message. Written in the same transaction as the messages it indexes. Conversations whose messages were
-- all stored before this migration are not indexed until their next message (members are not in `messages`).
CREATE TABLE conversation_members (
  user_id VARCHAR(64)  NOT NULL,
  conv_id VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  part    INT          NOT NULL,
  last_ts BIGINT       NOT NULL,
  PRIMARY KEY (user_id, conv_id),
  KEY conversation_members_part (user_id, part),
  KEY conversation_members_recent (user_id, last_ts)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The persister's clock when a receipt for the row was last applied (0 = before this migration), so a
-- catch-up can send only the positions that changed since the client's last one.
ALTER TABLE receipts
  ADD COLUMN updated_ms BIGINT NOT NULL DEFAULT 0;
