-- expect-refusal: cannot be cast automatically
-- before
CREATE TABLE t (a bigint);
-- after
CREATE TABLE t (a timestamp);
