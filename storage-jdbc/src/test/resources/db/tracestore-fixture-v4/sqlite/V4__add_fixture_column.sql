-- A test-only version 4: a schema change that fails when run twice, for MigrationTest.
ALTER TABLE "${prefix}traces" ADD COLUMN fixture_v2 INTEGER;
