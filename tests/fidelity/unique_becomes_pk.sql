-- before
CREATE TABLE t (id int UNIQUE);
-- after
CREATE TABLE t (id int PRIMARY KEY);
