-- A test-only version 4 for MigrationTest: a schema change, then a pause of 8 s on a
-- connection that set tracestore.slow (the child JVM that is killed in it); none elsewhere.
ALTER TABLE "${prefix}traces" ADD COLUMN fixture_v2 INTEGER;
SELECT pg_sleep(CASE WHEN current_setting('tracestore.slow', true) = '1' THEN 8 ELSE 0 END);
