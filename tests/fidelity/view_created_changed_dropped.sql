-- before
CREATE TABLE t (a int, b int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT b FROM t;
-- after
CREATE TABLE t (a int, b int); CREATE VIEW v1 AS SELECT a, b FROM t; CREATE VIEW v3 AS SELECT a + b AS s FROM t;
