-- before
CREATE SCHEMA old; CREATE TABLE old.t (a int);
-- after
CREATE SCHEMA app; CREATE TABLE app.t (a int);
