-- before
CREATE TABLE t (a int);
-- after
CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
