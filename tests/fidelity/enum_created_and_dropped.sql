-- before
CREATE TYPE old AS ENUM ('x');
-- after
CREATE TYPE new AS ENUM ('y', 'z');
