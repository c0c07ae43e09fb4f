-- before
CREATE TABLE t (a int); ALTER TABLE t REPLICA IDENTITY FULL;
-- after
CREATE TABLE t (a int);
