CREATE TABLE "usage_daily" (
	"user_id" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"key_id" text DEFAULT '' NOT NULL,
	"link_id" text DEFAULT '' NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"status_class" smallint NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"request_bytes" bigint DEFAULT 0 NOT NULL,
	"response_bytes" bigint DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"h0" integer DEFAULT 0 NOT NULL,
	"h1" integer DEFAULT 0 NOT NULL,
	"h2" integer DEFAULT 0 NOT NULL,
	"h3" integer DEFAULT 0 NOT NULL,
	"h4" integer DEFAULT 0 NOT NULL,
	"h5" integer DEFAULT 0 NOT NULL,
	"h6" integer DEFAULT 0 NOT NULL,
	"h7" integer DEFAULT 0 NOT NULL,
	"h8" integer DEFAULT 0 NOT NULL,
	"h9" integer DEFAULT 0 NOT NULL,
	"h10" integer DEFAULT 0 NOT NULL,
	"h11" integer DEFAULT 0 NOT NULL,
	"h12" integer DEFAULT 0 NOT NULL,
	"h13" integer DEFAULT 0 NOT NULL,
	"h14" integer DEFAULT 0 NOT NULL,
	"h15" integer DEFAULT 0 NOT NULL,
	"h16" integer DEFAULT 0 NOT NULL,
	"h17" integer DEFAULT 0 NOT NULL,
	"h18" integer DEFAULT 0 NOT NULL,
	"h19" integer DEFAULT 0 NOT NULL,
	"h20" integer DEFAULT 0 NOT NULL,
	"h21" integer DEFAULT 0 NOT NULL,
	"h22" integer DEFAULT 0 NOT NULL,
	"h23" integer DEFAULT 0 NOT NULL,
	"h24" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_pkey" PRIMARY KEY("user_id","day","key_id","link_id","model","status_class")
);
--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_user_id_organizations_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_hourly_end_users_end_user_idx" ON "usage_hourly_end_users" USING btree ("user_id","end_user","hour");--> statement-breakpoint
-- The daily tier starts with everything the hourly one holds (new records are added to both by the drain).
INSERT INTO "usage_daily" ("user_id", "day", "key_id", "link_id", "model", "status_class", "requests", "cost_micros", "input_tokens",
	"cached_input_tokens", "output_tokens", "request_bytes", "response_bytes", "latency_ms_sum", h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23, h24)
SELECT "user_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "key_id", "link_id", "model", "status_class", sum("requests"),
	sum("cost_micros"), sum("input_tokens"), sum("cached_input_tokens"), sum("output_tokens"), sum("request_bytes"), sum("response_bytes"),
	sum("latency_ms_sum"), sum(h0), sum(h1), sum(h2), sum(h3), sum(h4), sum(h5), sum(h6), sum(h7), sum(h8), sum(h9), sum(h10), sum(h11), sum(h12), sum(h13), sum(h14), sum(h15), sum(h16), sum(h17), sum(h18), sum(h19), sum(h20), sum(h21), sum(h22), sum(h23), sum(h24)
FROM "usage_hourly" GROUP BY 1, 2, 3, 4, 5, 6;
