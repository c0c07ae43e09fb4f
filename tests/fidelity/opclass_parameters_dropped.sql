-- before
CREATE TABLE t (a tsvector);
CREATE INDEX t_a ON t USING gist (a tsvector_ops (siglen='8'));
-- after
CREATE TABLE t (a tsvector);
CREATE INDEX t_a ON t USING gist (a);
