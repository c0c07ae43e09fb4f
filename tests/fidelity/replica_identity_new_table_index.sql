-- before
-- after
CREATE TABLE t (a int NOT NULL, b text, CONSTRAINT t_a_key UNIQUE (a)); ALTER TABLE t REPLICA IDENTITY USING INDEX t_a_key;
