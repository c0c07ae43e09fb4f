-- before
-- after
CREATE SCHEMA "My Schema"; CREATE TABLE "My Schema"."select" ("Col""Q" int, "ünï" text, "order" int); CREATE INDEX "Idx Name" ON "My Schema"."select" ("order");
