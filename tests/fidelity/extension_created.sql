-- before
-- after
CREATE EXTENSION citext; CREATE TABLE t (a citext);
