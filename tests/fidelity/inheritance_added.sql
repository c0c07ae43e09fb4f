-- A table that starts to inherit a column it already has keeps its own declaration of it
-- (attislocal): no statement makes it inherited-only, so leaving it to the parent is refused.
-- expect-refusal: would stay declared in the table itself
-- before
CREATE TABLE p (a int); CREATE TABLE c (a int, b int);
-- after
CREATE TABLE p (a int); CREATE TABLE c (b int) INHERITS (p);
