-- before
CREATE TYPE s AS ENUM ('a', 'b'); CREATE TABLE t (x s DEFAULT 'a');
-- after
CREATE TYPE s AS ENUM ('a', 'b', 'c'); CREATE TABLE t (x s DEFAULT 'c');
