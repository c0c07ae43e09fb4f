-- before
CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));
-- after
CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;
