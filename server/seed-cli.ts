// `npm run seed`: migrate and seed a central database (DATABASE_URL, else PGlite in DATA_DIR).
//   SEED_CASES (30) and SEED (the PRNG seed) shape the demo cases.
import { openDb } from './db';
import { runMigrations } from './migrations';
import { seedDemo } from './seed';
import { DEFAULT_DATA_DIR } from './start';

const db = await openDb({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR || DEFAULT_DATA_DIR,
});
try {
  const applied = await runMigrations(db);
  const result = await seedDemo(db, {
    cases: process.env.SEED_CASES ? Number(process.env.SEED_CASES) : undefined,
    seed: process.env.SEED ? Number(process.env.SEED) : undefined,
  });
  console.log(`Migrations applied: ${applied.length ? applied.join(', ') : 'none'}`);
  console.log(
    result.seeded
      ? `Seeded ${result.users} users and ${result.cases} cases.`
      : 'Users already exist: nothing seeded.',
  );
} finally {
  await db.close();
}
