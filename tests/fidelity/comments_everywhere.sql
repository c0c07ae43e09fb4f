-- before
CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);
-- after
CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); COMMENT ON TABLE t IS 'it''s a table'; COMMENT ON COLUMN t.a IS 'back\slash'; COMMENT ON INDEX t_a IS 'idx';
