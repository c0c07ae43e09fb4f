-- before
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p); CREATE VIEW v AS SELECT id FROM p;
-- after
CREATE TABLE c (p int);
