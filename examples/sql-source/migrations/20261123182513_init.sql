-- Create enum type "public"."post_status"
CREATE TYPE "public"."post_status" AS ENUM ('draft', 'published');

-- Create table "public"."authors"
CREATE TABLE "public"."authors" (
  "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  "email" text NOT NULL,
  "name" text NOT NULL,
  CONSTRAINT "authors_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "authors_email_key" UNIQUE ("email")
);

-- Create table "public"."posts"
CREATE TABLE "public"."posts" (
  "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  "author_id" bigint NOT NULL,
  "title" text NOT NULL,
  "status" "public"."post_status" DEFAULT 'draft'::post_status NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "posts_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "posts_title_check" CHECK ((title <> ''::text)),
  CONSTRAINT "posts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "public"."authors" ("id") ON DELETE CASCADE
);
CREATE INDEX "posts_author" ON "public"."posts" ("author_id");
