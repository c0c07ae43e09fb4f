-- before
CREATE TABLE t (a int, b text NOT NULL DEFAULT 'x', c numeric);
-- after
CREATE TABLE t (a int NOT NULL DEFAULT 0, b text, c numeric DEFAULT 0.1234567890123456789);
