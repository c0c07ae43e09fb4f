-- before
-- after
CREATE TABLE t (a int) WITH (fillfactor = 60, toast_tuple_target = 256);
