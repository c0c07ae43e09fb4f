-- before
CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t;
-- after
CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m WITH (fillfactor = 70, autovacuum_enabled = false) AS SELECT a FROM t;
