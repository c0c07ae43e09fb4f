-- before
CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m WITH (fillfactor = 50, autovacuum_enabled = true) AS SELECT a FROM t; CREATE INDEX m_a ON m (a);
-- after
CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m WITH (fillfactor = 70) AS SELECT a FROM t; CREATE INDEX m_a ON m (a);
