CREATE TABLE "runpod_connections" (
	"account_id" text PRIMARY KEY NOT NULL,
	"endpoint_id" text NOT NULL,
	"encrypted_api_key" text NOT NULL,
	"api_key_last4" text NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL,
	"failing_since" timestamp with time zone,
	"failure_message" text,
	"rate_limited_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "activities" DROP CONSTRAINT "activities_state_check";--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "execution_timeout_ms" bigint;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "queue_count" integer;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "next_poll_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "poll_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runpod_connections" ADD CONSTRAINT "runpod_connections_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_watchdog_due_idx" ON "activities" USING btree ("next_poll_at") WHERE "activities"."closed_at" is null;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_state_check" CHECK ("activities"."state" in ('queued', 'running', 'completed', 'failed', 'timed_out', 'cancelled', 'expired'));