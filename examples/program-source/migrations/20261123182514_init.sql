-- Create table "public"."customers"
CREATE TABLE "public"."customers" (
  "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  "email" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "customers_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "customers_email_key" UNIQUE ("email")
);

-- Create table "public"."orders"
CREATE TABLE "public"."orders" (
  "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  "customer_id" bigint NOT NULL,
  "total_cents" integer NOT NULL,
  CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "orders_total_cents_check" CHECK ((total_cents >= 0)),
  CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."customers" ("id")
);
CREATE INDEX "orders_customer_id_idx" ON "public"."orders" ("customer_id");
