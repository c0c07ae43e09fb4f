-- before
CREATE TABLE t (a int NOT NULL, b int);
-- after
CREATE TABLE t (a int NOT NULL, b int); CREATE UNIQUE INDEX t_a ON t (a); ALTER TABLE t REPLICA IDENTITY USING INDEX t_a;
