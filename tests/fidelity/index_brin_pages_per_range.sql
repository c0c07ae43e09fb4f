-- before
CREATE TABLE t (a int);
-- after
CREATE TABLE t (a int); CREATE INDEX t_a ON t USING brin (a) WITH (pages_per_range = 16);
