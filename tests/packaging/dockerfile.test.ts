import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// There is no Docker engine on the build machines: these tests read the Dockerfile as text and check
// what can be known without building it. `docker build --target test .` runs this file inside the image too.

const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const ignored = dockerignore(fs.readFileSync(path.join(root, '.dockerignore'), 'utf8'));

const stage = (name: string): Stage => {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage "${name}"`);
  return found;
};
const runtime = (): Stage => stage('runtime');

describe('Dockerfile', () => {
  it('has the build, test and runtime stages, and builds runtime by default', () => {
    const names = dockerfile.stages.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['build', 'test', 'runtime']));
    expect(names.at(-1)).toBe('runtime');
  });

  it('builds and runs on node:22-bookworm-slim', () => {
    expect(stage('build').from).toBe('node:22-bookworm-slim');
    expect(runtime().from).toBe('node:22-bookworm-slim');
  });

  it('builds with dev dependencies and the tools better-sqlite3 compiles with', () => {
    const run = runs(stage('build'));
    expect(run).toMatch(/\bnpm ci\b(?![^\n]*--omit=dev)/);
    expect(run).toMatch(/\bpython3\b/);
    expect(run).toMatch(/\bg\+\+/);
    expect(run).toMatch(/\bnpm run build\b/);
  });

  it('runs npm test in the test stage, with a PostgreSQL server and client tools', () => {
    const test = stage('test');
    expect(test.from).toBe('build');
    const run = runs(test);
    expect(run).toMatch(/apt-get install[^\n]*\bpostgresql\b/);
    expect(run).toMatch(/apt-get install[^\n]*\bpostgresql-client\b/);
    expect(run).toMatch(/scripts\/ensure-postgres\.sh[\s\S]*\bnpm test\b/);
  });

  it('copies only paths that exist in the repo and are sent in the build context', () => {
    const sources = dockerfile.stages.flatMap((s) =>
      s.instructions
        .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !/--from=/.test(i.args))
        .flatMap((i) => copySources(i.args)),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(fs.existsSync(path.join(root, source)), `COPY ${source}: not in the repo`).toBe(true);
      if (source !== '.') expect(ignored(source), `COPY ${source}: excluded by .dockerignore`).toBe(false);
    }
  });

  it('takes runtime node_modules from a stage that ran npm ci --omit=dev', () => {
    const copy = runtime().instructions.find((i) => i.keyword === 'COPY' && /\/node_modules\b/.test(i.args));
    const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
    expect(from, 'runtime copies node_modules from another stage').toBeDefined();
    expect(runs(stage(from!))).toMatch(/\bnpm ci\b[^\n]*--omit=dev/);
  });

  it('has no compilers in the runtime stage, but has pg_dump and pg_restore', () => {
    const run = runs(runtime());
    expect(run).not.toMatch(/\bg\+\+|\bmake\b|build-essential/);
    expect(run).toMatch(/apt-get install[^\n]*\bpostgresql-client\b/);
  });

  it('ships what pm2-runtime and warden read at run time', () => {
    const copied = runtime()
      .instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => i.args)
      .join('\n');
    for (const file of ['dist', 'docs', 'examples', 'package.json', 'ecosystem.config.js', 'warden.config.yaml']) {
      expect(copied).toMatch(new RegExp(`(^|\\s|/)${file.replaceAll('.', '\\.')}(\\s|$)`, 'm'));
    }
  });

  it('runs as the non-root user warden', () => {
    const users = runtime().instructions.filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toBe('warden');
    const lastUser = runtime().instructions.lastIndexOf(users.at(-1)!);
    const after = runtime()
      .instructions.slice(lastUser + 1)
      .map((i) => i.keyword);
    expect(after).not.toContain('USER');
  });

  it('keeps logs, backups and data in volumes and pm2 state in /app/.pm2', () => {
    const volume = runtime().instructions.find((i) => i.keyword === 'VOLUME');
    expect(JSON.parse(volume?.args ?? '[]')).toEqual(['/app/logs', '/app/backups', '/app/data']);
    const env = runtime()
      .instructions.filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bPM2_HOME=\/app\/\.pm2\b/);
  });

  it('checks health with node against /healthz', () => {
    const healthcheck = runtime().instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD \["node", "-e", /);
    expect(healthcheck?.args).toContain('http://127.0.0.1:9464/healthz');
    expect(healthcheck?.args).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it('starts pm2-runtime with the ecosystem file from node_modules/.bin', () => {
    const cmd = runtime()
      .instructions.filter((i) => i.keyword === 'CMD')
      .at(-1);
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(['pm2-runtime', 'ecosystem.config.js']);
    const env = runtime()
      .instructions.filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bPATH=\/app\/node_modules\/\.bin:\$PATH\b/);
    expect(fs.existsSync(path.join(root, 'ecosystem.config.js'))).toBe(true);
  });
});

describe('.dockerignore', () => {
  it.each(['node_modules/pm2/package.json', '.git/HEAD', 'logs/warden.1.log', 'backups/main.dump', 'data/warden.db'])(
    'excludes %s',
    (file) => expect(ignored(file)).toBe(true),
  );

  it.each(['src/main.ts', 'package.json', 'package-lock.json', 'docs/operations.md', 'Dockerfile', '.dockerignore'])(
    'sends %s',
    (file) => expect(ignored(file)).toBe(false),
  );
});

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Instructions grouped by stage; `FROM ${ARG}` resolved from the global ARG defaults. */
function parseDockerfile(text: string): { stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'FROM') {
      const [image = '', , name] = instruction.args.split(' ');
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs.get(arg) ?? '');
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      globalArgs.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { stages };
}

function runs(s: Stage): string {
  return s.instructions
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args)
    .join('\n');
}

/** `COPY [--flags] src… dest` → the sources. */
function copySources(args: string): string[] {
  const words = args.split(' ').filter((word) => !word.startsWith('--'));
  return words.slice(0, -1).map((source) => source.replace(/^\.\/(?=.)/, '').replace(/\/$/, ''));
}

/**
 * Docker's .dockerignore rules: a path is excluded when the last pattern matching it, or one of its
 * parent folders, is not a `!` exception. `*` and `?` stay within one folder, `**` spans folders.
 */
function dockerignore(text: string): (file: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize(line.slice(negated ? 1 : 0).trim()).replace(/^\/+|\/+$/g, '');
      return { negated, regexp: globToRegExp(pattern) };
    });
  return (file) => {
    const parts = file.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regexp.test(candidate))) excluded = !rule.negated;
    }
    return excluded;
  };
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
