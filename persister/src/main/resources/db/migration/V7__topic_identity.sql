-- The inbound topic these rows' sequence numbers are offsets of. A message's seq is its offset in weft.inbound, so a
-- recreated topic (offsets from 0 again) or a changed partition count (conversations on other partitions) would
-- give new messages the (conversation, seq) of old rows, and the insert's ON DUPLICATE KEY would drop them
-- silently. The persister records the topic's id here and refuses to run against another.
CREATE TABLE topic_identity (
  topic      VARCHAR(249) NOT NULL,
  topic_id   VARCHAR(32)  NOT NULL,
  partitions INT          NOT NULL,
  first_seen TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (topic)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
