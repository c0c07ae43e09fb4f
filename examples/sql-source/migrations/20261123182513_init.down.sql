-- Drop foreign keys of "public"."posts" into dropped tables
ALTER TABLE "public"."posts" DROP CONSTRAINT "posts_author_id_fkey";

-- Drop table "public"."authors"
-- hazard DS102 (data loss): drops table "public.authors" and all its rows
DROP TABLE "public"."authors";

-- Drop table "public"."posts"
-- hazard DS102 (data loss): drops table "public.posts" and all its rows
DROP TABLE "public"."posts";

-- Drop enum type "public"."post_status"
DROP TYPE "public"."post_status";
