-- A partition's index attached to the parent's under a name PostgreSQL would not choose.
-- before
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
-- after
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE INDEX "M1 by id" ON m1 (id);
CREATE INDEX m_id ON m (id);
