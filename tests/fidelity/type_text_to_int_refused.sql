-- expect-refusal: cannot be cast automatically
-- before
CREATE TABLE t (a text);
-- after
CREATE TABLE t (a int);
