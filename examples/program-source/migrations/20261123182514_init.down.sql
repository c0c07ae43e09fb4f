-- Drop foreign keys of "public"."orders" into dropped tables
ALTER TABLE "public"."orders" DROP CONSTRAINT "orders_customer_id_fkey";

-- Drop table "public"."customers"
-- hazard DS102 (data loss): drops table "public.customers" and all its rows
DROP TABLE "public"."customers";

-- Drop table "public"."orders"
-- hazard DS102 (data loss): drops table "public.orders" and all its rows
DROP TABLE "public"."orders";
