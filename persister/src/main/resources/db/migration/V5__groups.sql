-- Groups. A membership event is a row of `messages` too (its place in the conversation's order), with `event`
-- describing it as JSON and an empty text.
ALTER TABLE messages
  ADD COLUMN event TEXT NULL;

-- Each group's membership after its latest event (`version` = that event's seq), as the persister's fold left it:
-- the Avro GroupSnapshot, so a restarted persister resumes the fold where the database stands.
CREATE TABLE groups_state (
  conv_id  VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  title    VARCHAR(200) NOT NULL,
  version  BIGINT       NOT NULL,
  snapshot MEDIUMBLOB   NOT NULL,
  PRIMARY KEY (conv_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The membership interval of each user in each conversation: reads (history, catch-up) see the messages from
-- the event that added the user up to the one that removed them. One-to-one members: from 0, never removed.
ALTER TABLE conversation_members
  ADD COLUMN joined_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN left_seq   BIGINT NULL;
