-- before
CREATE TABLE t (a int); CREATE SEQUENCE s;
-- after
CREATE TABLE t (a int); CREATE SEQUENCE s OWNED BY t.a;
