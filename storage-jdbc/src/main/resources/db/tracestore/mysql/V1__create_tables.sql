-- TraceStore schema, version 1, for MySQL 8 / MariaDB 10.5+ (InnoDB). ${prefix} is the table
-- prefix (may be empty); ${idCollation} is a binary no-pad utf8mb4 collation
-- (utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL): ids compare by exact value.
-- Indexes are declared inside CREATE TABLE (MySQL has no CREATE INDEX IF NOT EXISTS), so every
-- statement is idempotent and two processes migrating at once both succeed.
CREATE TABLE IF NOT EXISTS `${prefix}traces` (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    namespace VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${idCollation} NOT NULL,
    external_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${idCollation} NOT NULL,
    title VARCHAR(1000),
    agent_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${idCollation},
    model VARCHAR(255),
    visibility VARCHAR(16) NOT NULL,
    project_name VARCHAR(255),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    -- null: unknown (a row from before counts existed); the backfill fills it
    message_count BIGINT NULL,
    -- true: tombstoned, being deleted; invisible to reads, refuses writes
    deleting BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE KEY `${prefix}traces_key` (namespace, external_id),
    KEY `${prefix}traces_list` (namespace, updated_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE IF NOT EXISTS `${prefix}messages` (
    trace_id BIGINT NOT NULL,
    external_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${idCollation} NOT NULL,
    seq BIGINT NOT NULL,
    role VARCHAR(16) NOT NULL,
    body LONGTEXT NOT NULL,
    model VARCHAR(255),
    created_at DATETIME(6) NOT NULL,
    parts_json LONGTEXT,
    PRIMARY KEY (trace_id, external_id),
    KEY `${prefix}messages_page` (trace_id, seq, external_id),
    CONSTRAINT `${prefix}messages_trace` FOREIGN KEY (trace_id) REFERENCES `${prefix}traces` (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
