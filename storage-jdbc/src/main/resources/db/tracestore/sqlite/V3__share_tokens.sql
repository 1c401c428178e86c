-- TraceStore schema, version 3, for SQLite: the share token that a public or unlisted trace's
-- pages are addressed by, in place of its sequential id. The key is looked up through its
-- unique index (binary collation); the secret is compared by the library in constant time.
-- The whole migration is one transaction.
ALTER TABLE "${prefix}traces" ADD COLUMN share_key TEXT;
ALTER TABLE "${prefix}traces" ADD COLUMN share_secret TEXT;
CREATE UNIQUE INDEX "${prefix}traces_share_key" ON "${prefix}traces" (share_key);
