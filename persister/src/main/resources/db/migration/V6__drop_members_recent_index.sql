-- conversation_members_recent (user_id, last_ts) changed key on every message for every member of its
-- conversation: a delete-marked and a new secondary index entry per member per message, and purge work after
-- every burst. Measured in docs/performance.md, it made the database the largest CPU user at 5,000 msgs/s and
-- kept it busy for tens of seconds after traffic stopped. The two reads that ordered by it (a user's most recent
-- conversations, the conversation list) now read the user's rows by primary key prefix and sort them, which
-- costs in proportion to that user's conversations.
ALTER TABLE conversation_members DROP INDEX conversation_members_recent;
