-- before
CREATE TABLE m (id int NOT NULL, d date NOT NULL, note text, PRIMARY KEY (id, d), CHECK (id > 0)) PARTITION BY RANGE (d);
CREATE INDEX m_note ON m (note);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
-- after
CREATE TABLE m (id int NOT NULL, d date NOT NULL, note text, PRIMARY KEY (id, d), CHECK (id > 0)) PARTITION BY RANGE (d);
CREATE INDEX m_note ON m (note);
CREATE TABLE m1 (id int NOT NULL, d date NOT NULL, note text);
