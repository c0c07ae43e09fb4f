-- before
CREATE TABLE t (a text);
-- after
CREATE TABLE t (a int);
