-- A new partition of a table with an index, whose attached index has a name of its own.
-- before
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE INDEX m_id ON m (id);
-- after
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE INDEX m_id ON m (id);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER INDEX m1_id_idx RENAME TO "M1 by id";
