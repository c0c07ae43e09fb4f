-- before
CREATE TABLE t (a int);
-- after
CREATE TABLE t (a int, CONSTRAINT t_a_key UNIQUE NULLS NOT DISTINCT (a));
