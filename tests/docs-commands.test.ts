import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.ts';
import { captureIo } from './helpers/io.ts';
import { tempDir } from './helpers/temp-dir.ts';

/**
 * Every shell command in README.md and the runbooks works as typed in the README's setup (the warden
 * folder after `npm ci`), or sits in a block marked ```sh example (the operator's own environment:
 * their hosts, paths and app names). What "works as typed" means is tested here: the `npm run pm2`
 * and `npm run warden` scripts run, and every `warden` command named exists in this build.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const run = promisify(execFile);

const runbookDir = path.join(root, 'docs', 'runbook');
const pages = [
  'README.md',
  ...fs
    .readdirSync(runbookDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', 'runbook', f)),
  ...fs.readdirSync(path.join(runbookDir, 'ko')).map((f) => path.join('docs', 'runbook', 'ko', f)),
];
const consistencyPages = [...pages, path.join('docs', 'operations.md')];

/** Text filters a tested command may be piped into. */
const filters = new Set(['grep', 'head', 'tail', 'sort', 'uniq', 'wc']);
/** pm2 commands the docs use (`npm run pm2 -- <these>`). */
const pm2Commands = new Set([
  'logs',
  'ls',
  'describe',
  'start',
  'restart',
  'stop',
  'save',
  'startup',
  'kill',
  'reloadLogs',
  'flush',
]);
/** npm's own commands of the README setup. */
const npmCommands = new Set(['ci', 'start', 'test', 'link']);

interface Block {
  page: string;
  info: string;
  commands: string[];
}

function shBlocks(page: string): Block[] {
  const text = fs.readFileSync(path.join(root, page), 'utf8');
  return [...text.matchAll(/^ *```(sh|bash)([^\n]*)\n([\s\S]*?)^ *```$/gm)].map((m) => ({
    page,
    info: `${m[1]}${m[2]}`.trim(),
    commands: m[3]!
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => line !== '')
      .flatMap((line) => line.replace(/"[^"]*"|'[^']*'/g, (q) => q.replace(/[|;&]/g, ' ')).split(/\s*(?:&&|\|\||;)\s*/))
      .filter((command) => command !== ''),
  }));
}

/** Why a command does not work as typed in the README's setup, or null when it does. */
function untested(command: string, wardenCommands: ReadonlySet<string>): string | null {
  const [first, ...rest] = command.replace(/"[^"]*"|'[^']*'/g, 'ARG').split(/\s*\|\s*/);
  const badFilter = rest.find((filter) => !filters.has(filter.split(/\s+/)[0]!));
  if (badFilter) return `pipes into ${badFilter}`;
  const words = first!.split(/\s+/);
  if (words[0] === 'export') return null;
  if (words[0] === 'warden') return wardenCommands.has(words[1]!) ? null : `no warden command "${words[1]}"`;
  if (words[0] !== 'npm') return `${words[0]} is not part of the README's setup`;
  if (npmCommands.has(words[1]!)) return null;
  if (words[1] !== 'run') return `npm ${words[1]}`;
  const script = words[2]!;
  if (!(script in pkg.scripts)) return `no npm script "${script}"`;
  if (script === 'warden') return wardenCommands.has(words[4]!) ? null : `no warden command "${words[4]}"`;
  if (script === 'pm2') return pm2Commands.has(words[4]!) ? null : `pm2 ${words[4]} is not a command the docs use`;
  return null;
}

let wardenCommands: Set<string>;
beforeAll(async () => {
  const io = captureIo();
  expect(await main(['--help'], io)).toBe(0);
  wardenCommands = new Set([...io.stdout.join('\n').matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]!));
  wardenCommands.add('--help');
  expect(wardenCommands).toContain('status');
});

describe('commands in the README and the runbooks', () => {
  it.each(pages)('%s: every unmarked shell command works as typed in the README setup', (page) => {
    const problems = shBlocks(page)
      .filter((block) => !/\bexample\b/.test(block.info))
      .flatMap((block) => block.commands.map((c) => [c, untested(c, wardenCommands)] as const))
      .filter(([, why]) => why !== null)
      .map(([command, why]) => `${command}  ← ${why} (mark the block \`\`\`sh example, or use a tested command)`);
    expect(problems).toEqual([]);
  });

  it.each(consistencyPages)('%s: pm2 only through npm run pm2, warden never through npx', (page) => {
    const text = fs.readFileSync(path.join(root, page), 'utf8');
    const code = [...text.matchAll(/^ *```(?:sh|bash)[^\n]*\n([\s\S]*?)^ *```$/gm)].map((m) => m[1]!).join('\n');
    const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).join('\n');
    const bad = `${code}\n${spans}`
      .split('\n')
      .filter((line) => /(^|[;&|(]\s*|\bnpx\s+)pm2\s+[a-z]/.test(line.replace(/#.*$/, '')) || /npx warden/.test(line));
    expect(bad).toEqual([]);
  });

  it('every warden command a first step or a page names exists (the first steps use them too)', () => {
    for (const name of ['status', 'check', 'backup', 'incidents']) expect(wardenCommands).toContain(name);
  });
});

describe('the npm scripts the docs use', () => {
  /** A copy of the package's scripts with stand-ins for pm2 and the build, so nothing touches a real daemon. */
  function sandbox(): string {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'sandbox', type: 'module', scripts: pkg.scripts }),
    );
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    const pm2 = path.join(dir, 'node_modules', '.bin', 'pm2');
    fs.writeFileSync(pm2, '#!/bin/sh\necho "PM2_HOME=$PM2_HOME args=$*"\n', { mode: 0o755 });
    // the built entry point, here running the source: `npm run warden` executes `node dist/main.js` unchanged
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(
      path.join(dir, 'dist', 'main.js'),
      `import ${JSON.stringify(pathToFileURL(path.join(root, 'src', 'main.ts')).href)};\n`,
    );
    return dir;
  }
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const { PM2_HOME: _home, ...rest } = process.env;
    return {
      ...rest,
      NODE_OPTIONS: `--import=${pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href}`,
      ...extra,
    };
  };

  it('npm run pm2 -- logs warden reaches ./.pm2 of the warden folder, or $PM2_HOME when set', async () => {
    const dir = sandbox();
    const plain = await run('npm', ['run', '-s', 'pm2', '--', 'logs', 'warden', '--lines', '100'], {
      cwd: dir,
      env: env(),
    });
    expect(plain.stdout.trim()).toBe(`PM2_HOME=${fs.realpathSync(dir)}/.pm2 args=logs warden --lines 100`);
    const set = await run('npm', ['run', '-s', 'pm2', '--', 'ls'], { cwd: dir, env: env({ PM2_HOME: '/srv/pm2' }) });
    expect(set.stdout.trim()).toBe('PM2_HOME=/srv/pm2 args=ls');
  });

  it("npm run warden -- --help prints warden's help", async () => {
    const { stdout } = await run('npm', ['run', '-s', 'warden', '--', '--help'], { cwd: sandbox(), env: env() });
    expect(stdout).toMatch(/^warden \S+ — /);
    expect(stdout).toMatch(/\n {2}status /);
  });

  it('the README sends the test alert even when check fails (joined with ;, not &&)', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm run warden -- check; npm run warden -- alert test');
    expect(readme).not.toMatch(/check && [^\n]*alert test/);
  });
});
