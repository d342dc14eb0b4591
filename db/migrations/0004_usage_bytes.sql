ALTER TABLE "usage_records" ADD COLUMN "request_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "response_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "usage_records_link_idx" ON "usage_records" USING btree ("link_id","created_at");