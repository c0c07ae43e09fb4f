-- expect-refusal: cannot be converted
-- before
CREATE TABLE t (a bigint);
-- after
CREATE TABLE t (a timestamp);
