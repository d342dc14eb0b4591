CREATE TABLE "usage_daily_end_users" (
	"user_id" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"end_user" text NOT NULL,
	"status_class" smallint NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_end_users_pkey" PRIMARY KEY("user_id","day","end_user","status_class")
);
--> statement-breakpoint
CREATE TABLE "usage_hourly_totals" (
	"user_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"status_class" smallint NOT NULL,
	"end_user_named" boolean NOT NULL,
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
	CONSTRAINT "usage_hourly_totals_pkey" PRIMARY KEY("user_id","hour","status_class","end_user_named")
);
--> statement-breakpoint
ALTER TABLE "usage_daily_end_users" ADD CONSTRAINT "usage_daily_end_users_user_id_organizations_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_hourly_totals" ADD CONSTRAINT "usage_hourly_totals_user_id_organizations_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Filled from the tiers that exist: the records that named an end user from usage_hourly_end_users, the
-- others as usage_hourly's sums less those (new records are added by the drain to every tier).
INSERT INTO "usage_hourly_totals" ("user_id", "hour", "status_class", "end_user_named", "requests", "cost_micros", "input_tokens", "cached_input_tokens", "output_tokens", "request_bytes", "response_bytes", "latency_ms_sum", "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23", "h24")
SELECT "user_id", "hour", "status_class", true, sum("requests"), sum("cost_micros"), sum("input_tokens"), sum("cached_input_tokens"), sum("output_tokens"), sum("request_bytes"), sum("response_bytes"), sum("latency_ms_sum"), sum("h0"), sum("h1"), sum("h2"), sum("h3"), sum("h4"), sum("h5"), sum("h6"), sum("h7"), sum("h8"), sum("h9"), sum("h10"), sum("h11"), sum("h12"), sum("h13"), sum("h14"), sum("h15"), sum("h16"), sum("h17"), sum("h18"), sum("h19"), sum("h20"), sum("h21"), sum("h22"), sum("h23"), sum("h24") FROM "usage_hourly_end_users" GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO "usage_hourly_totals" ("user_id", "hour", "status_class", "end_user_named", "requests", "cost_micros", "input_tokens", "cached_input_tokens", "output_tokens", "request_bytes", "response_bytes", "latency_ms_sum", "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23", "h24")
SELECT "user_id", "hour", "status_class", false, sum("requests"), sum("cost_micros"), sum("input_tokens"), sum("cached_input_tokens"), sum("output_tokens"), sum("request_bytes"), sum("response_bytes"), sum("latency_ms_sum"), sum("h0"), sum("h1"), sum("h2"), sum("h3"), sum("h4"), sum("h5"), sum("h6"), sum("h7"), sum("h8"), sum("h9"), sum("h10"), sum("h11"), sum("h12"), sum("h13"), sum("h14"), sum("h15"), sum("h16"), sum("h17"), sum("h18"), sum("h19"), sum("h20"), sum("h21"), sum("h22"), sum("h23"), sum("h24") FROM "usage_hourly" GROUP BY 1, 2, 3;--> statement-breakpoint
UPDATE "usage_hourly_totals" t SET "requests" = t."requests" - n."requests", "cost_micros" = t."cost_micros" - n."cost_micros", "input_tokens" = t."input_tokens" - n."input_tokens", "cached_input_tokens" = t."cached_input_tokens" - n."cached_input_tokens", "output_tokens" = t."output_tokens" - n."output_tokens", "request_bytes" = t."request_bytes" - n."request_bytes", "response_bytes" = t."response_bytes" - n."response_bytes", "latency_ms_sum" = t."latency_ms_sum" - n."latency_ms_sum", "h0" = t."h0" - n."h0", "h1" = t."h1" - n."h1", "h2" = t."h2" - n."h2", "h3" = t."h3" - n."h3", "h4" = t."h4" - n."h4", "h5" = t."h5" - n."h5", "h6" = t."h6" - n."h6", "h7" = t."h7" - n."h7", "h8" = t."h8" - n."h8", "h9" = t."h9" - n."h9", "h10" = t."h10" - n."h10", "h11" = t."h11" - n."h11", "h12" = t."h12" - n."h12", "h13" = t."h13" - n."h13", "h14" = t."h14" - n."h14", "h15" = t."h15" - n."h15", "h16" = t."h16" - n."h16", "h17" = t."h17" - n."h17", "h18" = t."h18" - n."h18", "h19" = t."h19" - n."h19", "h20" = t."h20" - n."h20", "h21" = t."h21" - n."h21", "h22" = t."h22" - n."h22", "h23" = t."h23" - n."h23", "h24" = t."h24" - n."h24"
FROM "usage_hourly_totals" n
WHERE t."end_user_named" = false AND n."end_user_named" = true AND n."user_id" = t."user_id" AND n."hour" = t."hour" AND n."status_class" = t."status_class";--> statement-breakpoint
DELETE FROM "usage_hourly_totals" WHERE "requests" = 0;--> statement-breakpoint
INSERT INTO "usage_daily_end_users" ("user_id", "day", "end_user", "status_class", "requests", "cost_micros", "input_tokens", "output_tokens")
SELECT "user_id", date_trunc('day', "hour" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "end_user", "status_class", sum("requests"), sum("cost_micros"),
	sum("input_tokens"), sum("output_tokens")
FROM "usage_hourly_end_users" GROUP BY 1, 2, 3, 4;
