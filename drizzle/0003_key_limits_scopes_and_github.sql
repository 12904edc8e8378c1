ALTER TABLE "accounts" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "github_user_id" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_per_second" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_burst" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_tokens" double precision;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_refilled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "endpoint_ids" text[];--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_github_user_id_unique" UNIQUE("github_user_id");