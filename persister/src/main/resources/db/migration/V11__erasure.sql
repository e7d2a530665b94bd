-- Erasure (issue 16): the users deleted through the server API, so that what arrives for them later (a message in
-- flight, a message to them) stores none of their data; and the indexes an erasure's deletes need.
CREATE TABLE erased_users (
  user_id   VARCHAR(64) NOT NULL,
  erased_ms BIGINT      NOT NULL,
  PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE receipts ADD KEY receipts_by_member (member);
ALTER TABLE reactions ADD KEY reactions_by_user (user_id);
