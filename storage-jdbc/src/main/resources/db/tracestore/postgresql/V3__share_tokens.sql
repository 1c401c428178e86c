-- TraceStore schema, version 3, for PostgreSQL: the share token that a public or unlisted
-- trace's pages are addressed by, in place of its sequential id. The key is looked up through
-- its unique index (NULLs, every trace that has no token, do not collide); the secret is
-- compared by the library in constant time. PostgreSQL rolls the whole version back if a
-- statement fails.
ALTER TABLE "${prefix}traces"
    ADD COLUMN share_key VARCHAR(16),
    ADD COLUMN share_secret VARCHAR(24);
CREATE UNIQUE INDEX "${prefix}traces_share_key" ON "${prefix}traces" (share_key);
