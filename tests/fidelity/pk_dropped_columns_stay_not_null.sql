-- before
CREATE TABLE t (id int PRIMARY KEY, a text);
-- after
CREATE TABLE t (id int NOT NULL, a text);
