-- before
CREATE TABLE t (a int, owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (owner = current_user);
-- after
CREATE TABLE t (a int, who text); ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (who = current_user);
