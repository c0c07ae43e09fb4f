-- before
CREATE TABLE t (a int UNIQUE);
-- after
CREATE TABLE t (a int, CONSTRAINT t_a_key UNIQUE (a) DEFERRABLE);
