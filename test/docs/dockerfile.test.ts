/**
 * The Dockerfile builds the image the README's Kubernetes Job runs. No Docker daemon is at hand in
 * CI, so this test does what its build stage does, on the host: copy exactly the paths its COPY
 * lines name into an empty folder, build there (tsc + the JSON Schema), and run the CLI from the
 * runtime stage's files. A source file the image would lack fails the build here.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

const root = packageRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
/** `COPY a b ./` sources of a stage (not --from copies). */
const copies = (stage: string): string[] =>
  [...stage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
const runtimeFiles = [...stages[1]!.matchAll(/^COPY --from=build \/opt\/drainsim\/(\S+) /gm)].map((m) => m[1]!);

describe('Dockerfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-docker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies only paths that exist, and installs with npm ci from the lockfile', () => {
    expect(copies(stages[0]!)).toContain('package-lock.json');
    for (const path of copies(stages[0]!)) expect(existsSync(join(root, path)), path).toBe(true);
    expect(stages[0]).toMatch(/^RUN npm ci --ignore-scripts$/m);
  });

  it('builds from exactly what it copies, and the runtime stage has what the CLI needs', () => {
    for (const path of copies(stages[0]!)) cpSync(join(root, path), join(dir, path), { recursive: true });
    // The image's npm ci; here the checkout's node_modules stands in for it.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync('node', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
    execFileSync('node', ['scripts/build-schema.mjs'], { cwd: dir });
    execFileSync('node', ['scripts/build-bundle.mjs'], { cwd: dir });
    for (const path of runtimeFiles) expect(existsSync(join(dir, path)), `runtime stage copies ${path}`).toBe(true);
    const help = execFileSync('node', ['bin/drainsim.js', 'list'], { cwd: dir, encoding: 'utf8' });
    expect(help).toMatch(/^hard-cut /m);
  }, 180_000);

  it("is the image the README's Kubernetes Job runs", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('docker build -t drainsim:0.1.0 .');
    expect(readme).toMatch(/image: drainsim:0\.1\.0/);
  });
});
