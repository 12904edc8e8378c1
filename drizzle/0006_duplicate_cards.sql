CREATE TABLE "duplicate_group_members" (
	"group_id" text NOT NULL,
	"activity_id" text NOT NULL,
	"account_id" text NOT NULL,
	CONSTRAINT "duplicate_group_members_group_id_activity_id_pk" PRIMARY KEY("group_id","activity_id")
);
--> statement-breakpoint
CREATE TABLE "duplicate_groups" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"confidence" text NOT NULL,
	"rule" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"member_key" text NOT NULL,
	"survivor_id" text,
	"merge_snapshot" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "duplicate_groups_status_check" CHECK ("duplicate_groups"."status" in ('open', 'merged', 'dismissed')),
	CONSTRAINT "duplicate_groups_confidence_check" CHECK ("duplicate_groups"."confidence" in ('high', 'medium', 'low'))
);
--> statement-breakpoint
ALTER TABLE "activities" DROP CONSTRAINT "activities_state_check";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "card_opener" text DEFAULT 'both' NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "auto_merge_duplicates" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "merged_into" text;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "attached_key" varchar(256);--> statement-breakpoint
ALTER TABLE "duplicate_group_members" ADD CONSTRAINT "duplicate_group_members_group_id_duplicate_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."duplicate_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duplicate_group_members" ADD CONSTRAINT "duplicate_group_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duplicate_groups" ADD CONSTRAINT "duplicate_groups_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "duplicate_group_members_activity_idx" ON "duplicate_group_members" USING btree ("activity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "duplicate_groups_member_key" ON "duplicate_groups" USING btree ("account_id","member_key");--> statement-breakpoint
CREATE INDEX "duplicate_groups_status_idx" ON "duplicate_groups" USING btree ("account_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "activities_attached_key" ON "activities" USING btree ("account_id","schema_id","attached_key") WHERE "activities"."attached_key" is not null;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_card_opener_check" CHECK ("accounts"."card_opener" in ('both', 'client', 'inspector'));--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_state_check" CHECK ("activities"."state" in ('queued', 'running', 'completed', 'failed', 'timed_out', 'cancelled', 'expired', 'merged'));