-- Each member's delivered and read position per conversation. Updated with GREATEST, so a position
-- never moves backwards, whatever order receipts arrive or are replayed in. -1 = nothing yet.
CREATE TABLE receipts (
  conv_id       VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  member        VARCHAR(64)  NOT NULL,
  delivered_seq BIGINT       NOT NULL DEFAULT -1,
  read_seq      BIGINT       NOT NULL DEFAULT -1,
  PRIMARY KEY (conv_id, member)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
