-- TraceStore schema, version 3, for MySQL and MariaDB: the share token that a public or unlisted
-- trace's pages are addressed by, in place of its sequential id. The key is looked up through
-- its unique index, compared as bytes (ascii_bin: a token differing in case is another token);
-- the secret is compared by the library in constant time. One ALTER TABLE, applied whole.
ALTER TABLE `${prefix}traces`
    ADD COLUMN share_key VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN share_secret VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD UNIQUE INDEX `${prefix}traces_share_key` (share_key);
