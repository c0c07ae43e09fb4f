-- A primary key added to a partitioned table whose partition has an equal key of its own,
-- under a name of its own: PostgreSQL attaches it, keeping the name.
-- before
CREATE TABLE m (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE m1 ADD CONSTRAINT m1_own_pk PRIMARY KEY (id, d);
-- after
CREATE TABLE m (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE m1 ADD CONSTRAINT m1_own_pk PRIMARY KEY (id, d);
ALTER TABLE m ADD PRIMARY KEY (id, d);
