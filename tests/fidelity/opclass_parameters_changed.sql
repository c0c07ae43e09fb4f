-- before
CREATE TABLE t (a tsvector, b text);
CREATE INDEX t_a ON t USING gist (a tsvector_ops (siglen='8'));
CREATE INDEX "T b" ON t USING btree (b text_pattern_ops);
-- after
CREATE TABLE t (a tsvector, b text);
CREATE INDEX t_a ON t USING gist (a tsvector_ops (siglen='16'));
CREATE INDEX "T b" ON t USING btree (b text_pattern_ops);
