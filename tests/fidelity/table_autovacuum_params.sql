-- before
CREATE TABLE t (a int) WITH (fillfactor = 80);
-- after
CREATE TABLE t (a int) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_enabled = false);
