-- A test-only version 4 for MigrationTest: a schema change, then a pause of 8 s on a
-- connection that set @tracestore_slow (the child JVM that is killed in it); none elsewhere.
ALTER TABLE `${prefix}traces` ADD COLUMN fixture_v2 INTEGER;
DO SLEEP(IF(@tracestore_slow = 1, 8, 0));
