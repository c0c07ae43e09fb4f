-- before
CREATE TABLE t (a int);
-- after
CREATE UNLOGGED TABLE t (a int);
