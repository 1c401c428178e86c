-- A test-only version 3: a schema change that fails when run twice, for MigrationTest.
ALTER TABLE "${prefix}traces" ADD COLUMN fixture_v2 INTEGER;
