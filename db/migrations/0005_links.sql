CREATE TABLE "link_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"link_id" text NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"start" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "link_tokens_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "links" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"preset" text DEFAULT 'custom' NOT NULL,
	"upstream_base_url" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"secret_hint" text,
	"injection" jsonb NOT NULL,
	"extra_headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"allowed_paths" jsonb NOT NULL,
	"allowed_origins" text[] DEFAULT '{}'::text[] NOT NULL,
	"jwt" jsonb,
	"rate_limit_per_minute" integer,
	"rate_limit_per_hour" integer,
	"rate_limit_per_day" integer,
	"end_user_rate_limit_per_minute" integer,
	"end_user_rate_limit_per_hour" integer,
	"end_user_rate_limit_per_day" integer,
	"monthly_request_cap" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "link_tokens" ADD CONSTRAINT "link_tokens_link_id_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "link_tokens_link_idx" ON "link_tokens" USING btree ("link_id","created_at");--> statement-breakpoint
CREATE INDEX "links_user_idx" ON "links" USING btree ("user_id","created_at");