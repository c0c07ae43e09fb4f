-- before
CREATE FUNCTION f(a int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN a; END $$;
-- after
CREATE FUNCTION f(a int) RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN a * 2; END $$;
