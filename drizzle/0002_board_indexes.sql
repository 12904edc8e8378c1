DROP INDEX "activities_board_idx";--> statement-breakpoint
CREATE INDEX "activities_board_order_idx" ON "activities" USING btree ("account_id",("closed_at" is null),"updated_at","id");--> statement-breakpoint
CREATE INDEX "activities_state_idx" ON "activities" USING btree ("account_id","state");--> statement-breakpoint
CREATE INDEX "activities_endpoint_idx" ON "activities" USING btree ("account_id","endpoint","state","updated_at");