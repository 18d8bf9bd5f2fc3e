/**
 * `lstm demo NAME [options]`: run one of the demos in demos/ (adding, airline, pm25, charlm,
 * spam), each printing its table (or one JSON object with --json) and writing its plots. The
 * demos live outside the library (they are experiments, not API), so they are loaded on
 * demand from the source checkout; `lstm demo --help` lists them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

interface DemoModule {
  DEMOS: Array<{ name: string }>;
  demoCommand(demo: { name: string }): Command;
}

/** The demos folder of the source checkout (../../../demos from src/cli/commands). */
const DEMOS_URL = new URL('../../../demos/index.js', import.meta.url);

async function loadDemos(): Promise<DemoModule> {
  const ts = fileURLToPath(DEMOS_URL).replace(/\.js$/, '.ts');
  if (!existsSync(ts) && !existsSync(fileURLToPath(DEMOS_URL))) {
    throw new Error('the demos are part of the source checkout (demos/), not of the installed package; clone the repository and run `npx lstm demo NAME` there');
  }
  return (await import(DEMOS_URL.href)) as DemoModule;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run a demo: adding, airline, pm25, charlm or spam (`lstm demo NAME --help` for its options; --quick, --seed N, --json).')
    .argument('[args...]', 'demo name and its options')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (args: string[]) => {
      const mod = await loadDemos();
      const demo = new Command('lstm demo').description('Run one demo; each prints a table and writes its plots.');
      for (const d of mod.DEMOS) demo.addCommand(mod.demoCommand(d));
      await demo.parseAsync(args, { from: 'user' });
    });
}
