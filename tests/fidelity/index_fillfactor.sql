-- before
CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);
-- after
CREATE TABLE t (a int); CREATE INDEX t_a ON t (a) WITH (fillfactor = 50);
