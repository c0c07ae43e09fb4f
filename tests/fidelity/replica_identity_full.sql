-- before
CREATE TABLE t (a int);
-- after
CREATE TABLE t (a int); ALTER TABLE t REPLICA IDENTITY FULL;
