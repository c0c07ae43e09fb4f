-- before
CREATE TABLE t (a int, b int);
-- after
CREATE TABLE t (a int, b int); ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;
