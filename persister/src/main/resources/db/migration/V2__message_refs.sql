-- The sender's ref of each message, so a resend can find the original and get its ack back.
-- Not unique: a client may reuse a ref without marking a resend, and such a message must still be stored.
ALTER TABLE messages
  ADD COLUMN ref VARCHAR(128) NULL,
  ADD KEY messages_sender_ref (sender, ref);
