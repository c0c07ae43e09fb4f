-- A new partition's index with a name of its own, where PostgreSQL's name for it is taken by
-- another relation (PostgreSQL then numbers it: m1_id_idx1).
-- before
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE INDEX m_id ON m (id);
CREATE TABLE m1_id_idx (x int);
-- after
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE INDEX m_id ON m (id);
CREATE TABLE m1_id_idx (x int);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER INDEX m1_id_idx1 RENAME TO "M1 by id";
