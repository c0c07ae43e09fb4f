-- before
CREATE TABLE t (a int, b int, c text);
-- after
CREATE TABLE t (a int, b int, c text); CREATE UNIQUE INDEX t_a ON t (a) INCLUDE (b) WHERE c IS NOT NULL; CREATE UNIQUE INDEX t_c ON t (c) NULLS NOT DISTINCT; CREATE INDEX t_expr ON t (lower(c) DESC NULLS LAST);
