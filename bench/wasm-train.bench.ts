// Seconds per Adam training step of InceptionV3 (Keras-exact, createModel('inception_v3'), sigmoid
// head, binary cross-entropy) on the cpu backend and on wasm — tfjs's own kernels plus only the missing
// Conv2DBackpropFilter ("wasm minimal") vs cxrkit's wasm training kernels, 1 vs 2 threads — at
// 299×299 and 512×512, batch 2 (and 512 batch 1). A configuration that does not fit the 4 GiB wasm heap
// (512 batch 4) shows the typed WASM_OUT_OF_MEMORY error, from the pre-flight estimate and, with the
// estimate skipped, from the runtime guard.
//
//   npm run bench -- --filter wasm-train            # everything (cpu at 512 takes many minutes)
//   npm run bench -- --filter wasm-train --quick    # skip cpu at 512 and the runtime-guard run
//   npm run bench -- --filter wasm-train --only "wasm cxrkit,minimal" --out wasm-only.json
//
// Each configuration runs in a fresh child process (threads and the backend are fixed per process).
// Wall and CPU time are reported with the 1-minute load average before/after: other jobs share the
// two cores, so wall times are only comparable when the load is low.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

interface Config {
  label: string;
  backend: 'cpu' | 'wasm';
  kernels?: 'minimal' | 'cxrkit';
  threads?: number;
  size: number;
  batch: number;
  steps: number;
  /** Skip the pre-flight memory estimate (to exercise the runtime guard). */
  noPrecheck?: boolean;
}

interface Result extends Config {
  wallS?: number[];
  cpuS?: number[];
  warmupS?: number;
  threadsUsed?: number;
  error?: { code?: string; message: string };
  loadBefore: number;
  loadAfter: number;
  heapMiB?: number;
}

const CHILD_ENV = 'CXRKIT_WASM_TRAIN_BENCH_CHILD';

async function child(cfg: Config): Promise<Omit<Result, 'loadBefore' | 'loadAfter'>> {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('@cxrkit/core');
  const models = await import('@cxrkit/models');
  let threadsUsed: number | undefined;
  if (cfg.backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if ((cfg.threads ?? 1) > 1) await models.prepareWasmThreads(wasm, { threads: cfg.threads });
    await initBackend({ kind: 'wasm', load: () => wasm });
    // Importing @cxrkit/models registered cxrkit's full kernel set as the backend started: for 'minimal',
    // go back to tfjs's own kernels first, then add only the missing Conv2DBackpropFilter.
    if (cfg.kernels === 'minimal') models.unregisterWasmTrainingKernels();
    models.registerWasmTrainingKernels({ replaceSlowKernels: cfg.kernels !== 'minimal' });
    threadsUsed = models.getWasmThreadsCount();
  } else {
    await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
  }
  const model = models.createModel('inception_v3', {
    inputShape: [cfg.size, cfg.size, 3],
    includeTop: true,
    classes: 1,
    classifierActivation: 'sigmoid',
  });
  const base = { ...cfg, threadsUsed };
  try {
    if (!cfg.noPrecheck) models.assertWasmTrainingFits(model, cfg.batch);
    // What train() uses: tfjs's Adam, fused into one kernel per variable on wasm with cxrkit's kernels.
    const optimizer = cfg.kernels === 'cxrkit' ? models.fusedAdam(1e-3) : tf.train.adam(1e-3);
    const x = tf.randomUniform([cfg.batch, cfg.size, cfg.size, 3], -1, 1, 'float32', 1);
    const y = tf.tensor2d(
      Array.from({ length: cfg.batch }, (_, i) => i % 2),
      [cfg.batch, 1],
    );
    const step = (): number => {
      const loss = optimizer.minimize(
        () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as never) as never,
        true,
      ) as unknown as { dataSync(): Float32Array; dispose(): void };
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    };
    const time = () => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      step();
      const c = process.cpuUsage(c0);
      return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
    };
    // wasm's first step also builds XNNPACK operators: warm up. cpu has no such cost and a step there
    // takes minutes, so it is timed cold.
    const warm = cfg.backend === 'wasm' ? time() : undefined;
    const wallS: number[] = [];
    const cpuS: number[] = [];
    for (let i = 0; i < cfg.steps; i++) {
      const t = time();
      wallS.push(t.wall);
      cpuS.push(t.cpu);
    }
    const heap =
      cfg.backend === 'wasm'
        ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20
        : undefined;
    return { ...base, warmupS: warm?.wall, wallS, cpuS, heapMiB: heap };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return {
      ...base,
      error: {
        code: err.code ?? (models.isWasmOutOfMemoryError(e) ? 'WASM_OUT_OF_MEMORY(raw)' : undefined),
        message: String(err.message ?? e).slice(0, 400),
      },
    };
  }
}

function configs(quick: boolean): Config[] {
  const list: Config[] = [
    { label: 'wasm cxrkit 1 thread', backend: 'wasm', kernels: 'cxrkit', threads: 1, size: 299, batch: 2, steps: 3 },
    { label: 'wasm cxrkit 2 threads', backend: 'wasm', kernels: 'cxrkit', threads: 2, size: 299, batch: 2, steps: 3 },
    { label: 'wasm minimal 1 thread', backend: 'wasm', kernels: 'minimal', threads: 1, size: 299, batch: 2, steps: 1 },
    { label: 'cpu', backend: 'cpu', size: 299, batch: 2, steps: 1 },
    { label: 'wasm cxrkit 1 thread', backend: 'wasm', kernels: 'cxrkit', threads: 1, size: 512, batch: 2, steps: 2 },
    { label: 'wasm cxrkit 2 threads', backend: 'wasm', kernels: 'cxrkit', threads: 2, size: 512, batch: 2, steps: 2 },
    { label: 'wasm cxrkit 2 threads', backend: 'wasm', kernels: 'cxrkit', threads: 2, size: 512, batch: 1, steps: 2 },
    { label: 'wasm cxrkit 2 threads', backend: 'wasm', kernels: 'cxrkit', threads: 2, size: 512, batch: 4, steps: 1 },
  ];
  if (!quick) {
    list.push({
      label: 'wasm cxrkit 2 threads, no pre-check',
      backend: 'wasm',
      kernels: 'cxrkit',
      threads: 2,
      size: 512,
      batch: 4,
      steps: 1,
      noPrecheck: true,
    });
    list.push({ label: 'cpu', backend: 'cpu', size: 512, batch: 2, steps: 1 });
  }
  return list;
}

const mean = (a?: number[]) => (a && a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);

async function main(): Promise<void> {
  const childCfg = process.env[CHILD_ENV];
  if (childCfg) {
    const r = await child(JSON.parse(childCfg) as Config);
    process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  // --only <text>: run only configurations whose "label size×size bN" contains the text (repeatable via ',').
  const only = opt('--only')?.split(',');
  const outName = opt('--out') ?? 'wasm-train.json';
  const self = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  const selected = configs(quick).filter(
    (c) => !only || only.some((o) => `${c.label} ${c.size}×${c.size} b${c.batch}`.includes(o)),
  );
  for (const cfg of selected) {
    const loadBefore = loadavg()[0]!;
    process.stdout.write(
      `… ${cfg.label}, ${cfg.size}×${cfg.size} batch ${cfg.batch} (load ${loadBefore.toFixed(2)})\n`,
    );
    const r = spawnSync(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', self], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(cfg) },
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const loadAfter = loadavg()[0]!;
    if (line) results.push({ ...(JSON.parse(line.slice(7)) as Result), loadBefore, loadAfter });
    else
      results.push({
        ...cfg,
        loadBefore,
        loadAfter,
        error: {
          message: `child exited ${r.status ?? r.signal}: ${(r.stderr || '')
            .split('\n')
            .filter((l) => l.trim() && l.length < 400)
            .slice(-3)
            .join(' | ')}`,
        },
      });
  }
  const cpuAt = (size: number, batch: number) =>
    mean(results.find((r) => r.backend === 'cpu' && r.size === size && r.batch === batch)?.wallS);
  const rows = results.map((r) => {
    const wall = mean(r.wallS);
    const cpuRef = cpuAt(r.size, r.batch);
    return {
      config: r.label,
      input: `${r.size}×${r.size} b${r.batch}`,
      'threads used': r.threadsUsed ?? '-',
      's/step (wall)': r.error ? '-' : wall.toFixed(2),
      's/step (cpu time)': r.error ? '-' : mean(r.cpuS).toFixed(2),
      'vs cpu': r.error || r.backend === 'cpu' || !Number.isFinite(cpuRef) ? '-' : `${(cpuRef / wall).toFixed(1)}×`,
      'heap MiB': r.heapMiB?.toFixed(0) ?? '-',
      load: `${r.loadBefore.toFixed(1)}→${r.loadAfter.toFixed(1)}`,
      error: r.error ? `${r.error.code ?? ''} ${r.error.message}`.slice(0, 160) : '',
    };
  });
  console.table(rows);
  const root = fileURLToPath(new URL('..', import.meta.url));
  mkdirSync(join(root, 'bench-output'), { recursive: true });
  const out = join(root, 'bench-output', outName);
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  console.log(`wrote ${out}`);
}

await main();
