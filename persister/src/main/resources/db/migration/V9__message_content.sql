-- What a message carries beside its text (issue 16): the id it replies to and its attachments' references, as the
-- JSON every route shows ({"reply_to": ..., "attachments": [...]}); NULL for a message with neither. MEDIUMTEXT:
-- attachments' thumbnails may pass TEXT's 64 KiB (the frame bound, WEFT_MAX_FRAME_BYTES, bounds them all).
ALTER TABLE messages
  ADD COLUMN content MEDIUMTEXT NULL;
