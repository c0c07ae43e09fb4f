-- before
CREATE TABLE t (a int);
-- after
CREATE TABLE t (a int) WITH (fillfactor = 70);
