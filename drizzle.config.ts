import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` uses this file: it diffs db/schema against the committed
// migrations and writes the next one. Applying migrations is the app's job (db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
