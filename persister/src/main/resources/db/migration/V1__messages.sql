-- One row per message. (conv_id, seq) is the message's place in its conversation: seq is the
-- record's offset on the inbound topic, so a replayed record maps to the same key and is not
-- inserted twice. Conversation ids are ASCII by construction (base64url), so they fit a compact key.
CREATE TABLE messages (
  conv_id       VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seq           BIGINT       NOT NULL,
  id            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sender        VARCHAR(64)  NOT NULL,
  sender_device VARCHAR(64)  NOT NULL,
  ts            BIGINT       NOT NULL,
  text          MEDIUMTEXT   NOT NULL,
  PRIMARY KEY (conv_id, seq),
  UNIQUE KEY messages_id (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
