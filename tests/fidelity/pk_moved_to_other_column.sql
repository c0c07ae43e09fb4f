-- before
CREATE TABLE t (id int PRIMARY KEY, code text);
-- after
CREATE TABLE t (id int, code text PRIMARY KEY);
