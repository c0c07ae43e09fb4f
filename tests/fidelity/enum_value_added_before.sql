-- before
CREATE TYPE s AS ENUM ('a', 'c');
-- after
CREATE TYPE s AS ENUM ('a', 'b', 'c');
