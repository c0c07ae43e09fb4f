-- before
CREATE TYPE c AS (a int);
-- after
CREATE TYPE c AS (a int, b text);
