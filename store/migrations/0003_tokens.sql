-- API tokens: only the SHA-256 of each secret is kept. A revocation is a
-- new version of the token's row (the highest version wins, read with
-- FINAL), so the table is never mutated.
CREATE TABLE IF NOT EXISTS tokens (
    id String,
    name String,
    role Enum8('admin' = 1, 'director' = 2, 'manager' = 3, 'collector' = 4),
    sites Array(String),
    sources Array(String),
    hash String,
    created_at DateTime('UTC'),
    created_by String,
    expires_at Nullable(DateTime('UTC')),
    revoked_at Nullable(DateTime('UTC')),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;
