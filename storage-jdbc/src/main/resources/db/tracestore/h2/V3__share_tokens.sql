-- TraceStore schema, version 3, for H2: the share token that a public or unlisted trace's pages
-- are addressed by, in place of its sequential id. The key is looked up through its unique
-- index; the secret is compared by the library in constant time. Null for every trace from
-- version 2: no trace is shared by token until asked for one. IF NOT EXISTS: H2 commits each
-- statement at once, so an interrupted version is finished by running it again.
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS share_key VARCHAR(16);
ALTER TABLE "${prefix}traces" ADD COLUMN IF NOT EXISTS share_secret VARCHAR(24);
CREATE UNIQUE INDEX IF NOT EXISTS "${prefix}traces_share_key" ON "${prefix}traces" (share_key);
