// `npm run seed`: migrate and seed a central database (DATABASE_URL, else PGlite in DATA_DIR).
//   --scale demo|full (or SEED_SCALE): the small demo set (default), or a year of a large desk
//   (200 agents, 20 teams, 20 branches, 100,000 cases). SEED: the PRNG seed.
//   SEED_CASES (demo scale only, 30): how many demo cases.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, SEED_SCALES, type SeedScale } from './config';
import { openDb } from './db';
import { runMigrations } from './migrations';
import { seedReferenceData } from './policies';
import { seedAtScale, seedDemo } from './seed';
import { seedDemoExtras } from './start';

const { values } = parseArgs({ options: { scale: { type: 'string' } } });
let config;
try {
  config = loadConfig(values.scale ? { ...process.env, SEED_SCALE: values.scale } : process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`${error.message}\n  (--scale takes ${SEED_SCALES.join(' or ')})`);
  process.exit(2);
}
const scale: SeedScale = config.seedScale;

const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const applied = await runMigrations(db);
  console.log(`Migrations applied: ${applied.length ? applied.join(', ') : 'none'}`);
  const started = performance.now();
  const result =
    scale === 'full'
      ? await seedAtScale(db, {
          seed: config.seed,
          onProgress: (cases) => {
            if (cases % 10_000 === 0) console.log(`  ${cases} cases`);
          },
        })
      : await seedDemo(db, {
          cases: process.env.SEED_CASES ? Number(process.env.SEED_CASES) : undefined,
          seed: config.seed,
        });
  await seedReferenceData(db);
  if (result.seeded) await seedDemoExtras(db, scale);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    result.seeded
      ? `Seeded ${result.users} users and ${result.cases} cases (${scale} scale) in ${seconds} s.`
      : 'Already seeded at this scale: nothing seeded.',
  );
} finally {
  await db.close();
}
