-- before
CREATE TABLE t (a varchar(20));
-- after
CREATE TABLE t (a text);
