-- Who is online and when each user was last seen, as the sessions topic says: gateways ask for the users their
-- clients follow instead of each holding every session. `sessions` is the live sessions topic (key = session id);
-- `last_seen` is when each user's last session ended (NULL: that session asked to hide it). It outlives the topic's
-- tombstones, which compaction removes.
CREATE TABLE sessions (
  session_id     VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id        VARCHAR(64)  NOT NULL,
  hide_last_seen BOOLEAN      NOT NULL,
  PRIMARY KEY (session_id),
  KEY sessions_by_user (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE last_seen (
  user_id VARCHAR(64) NOT NULL,
  seen_ms BIGINT      NULL,
  PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
