import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { planLaunch } from '../../src/plan/planLaunch.ts';
import type { PlanOptions, ServeOptions } from '../../src/planShapes.ts';
import { readProfilesDir, type ProfileCatalog } from '../../src/profiles/profileCatalog.ts';
import { resolveServeOptions } from '../../src/runtimes/buildLaunchCommand.ts';
import { buildLlamaServerCommand } from '../../src/runtimes/buildLlamaServerCommand.ts';
import { buildVllmDockerCommand, HF_CACHE_MOUNT } from '../../src/runtimes/buildVllmCommand.ts';
import { renderShellCommand, shellQuote } from '../../src/runtimes/shellQuote.ts';
import { multiNodeChecklist, vllmNodeCommands } from '../../src/runtimes/vllmNodes.ts';

const flagList = (file: string) =>
  new Set(
    readFileSync(new URL(`../../reference/vllm/${file}`, import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
/** What every vLLM from 2025-05 to 2026-05 accepts: single-machine commands use only these. */
const VLLM_FLAGS = flagList('vllm-serve-flags-common-2025-05_to_2026-05.txt');
/** The newest vendored list: multi-node commands use vLLM's own multi-node mode (--nnodes), newer than that window. */
const VLLM_FLAGS_LATEST = flagList('vllm-serve-flags.txt');

let catalog: ProfileCatalog;
before(async () => {
  catalog = await readProfilesDir();
});
const build = (hardware: string, options: PlanOptions = {}, serve: ServeOptions = { host: '127.0.0.1' }, modelId = 'devstral-small-1.1') => {
  const facts = catalog.hardware.find((h) => h.id === hardware)!;
  const model = catalog.models.find((m) => m.id === modelId)!;
  return { plan: planLaunch(facts, model, options, serve), facts, model };
};
const optionsOf = (argv: string[]) => argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!);

describe('vllm serve command', () => {
  it("matches the model card's command on 2x A100 (TP 2, Mistral format flags)", () => {
    const { argv } = build('2x-a100-80gb').plan.command;
    assert.deepEqual(argv.slice(0, 3), ['vllm', 'serve', 'mistralai/Devstral-Small-2507']);
    const text = argv.join(' ');
    for (const part of ['--tokenizer-mode mistral', '--config-format mistral', '--load-format mistral', '--tool-call-parser mistral', '--enable-auto-tool-choice', '--tensor-parallel-size 2', '--max-model-len 131072', '--gpu-memory-utilization 0.9', '--served-model-name devstral-small-1.1', '--host 127.0.0.1', '--port 8000']) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
  });

  it('uses only options that every vLLM from 2025-05 to 2026-05 accepts, for every vLLM plan', () => {
    let checked = 0;
    for (const model of catalog.models) {
      for (const hardware of catalog.hardware) {
        for (const options of [{ runtime: 'vllm' }, { runtime: 'vllm', quant: 'awq-int4' }] as PlanOptions[]) {
          let plan;
          try {
            plan = planLaunch(hardware, model, options, { host: '0.0.0.0', port: 9000, apiKey: 'k', servedModelName: 'x' });
          } catch {
            continue;
          }
          for (const flag of optionsOf(plan.command.argv)) assert.ok(VLLM_FLAGS.has(flag), `${flag} (${model.id} on ${hardware.id}) is a vLLM option`);
          const docker = buildVllmDockerCommand(plan, model, hardware, { host: '127.0.0.1', port: 8000 });
          const afterImage = docker.argv.slice(docker.argv.indexOf('vllm/vllm-openai:latest') + 1);
          for (const flag of optionsOf(afterImage)) assert.ok(VLLM_FLAGS.has(flag), `${flag} in the docker form`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 10, `checked ${checked} plans`);
  });

  it('HF-layout community checkpoints get no Mistral config/load format flags', () => {
    const { argv } = build('2x-rtx-4090').plan.command;
    assert.match(argv[2]!, /FP8/);
    assert.ok(!argv.includes('--load-format') && !argv.includes('--config-format'));
    assert.ok(argv.includes('--tokenizer-mode') && argv.includes('--disable-custom-all-reduce'));
  });

  it('passes the API key in VLLM_API_KEY (not on the command line), FP8 KV cache and the revision when planned', () => {
    const { plan } = build('rtx-5090', { revision: 'v1.1' }, { host: '127.0.0.1', apiKey: 's3cret' });
    assert.equal(plan.command.env.VLLM_API_KEY, 's3cret');
    assert.ok(!plan.command.argv.includes('s3cret'));
    assert.ok(plan.command.argv.join(' ').includes('--kv-cache-dtype fp8'));
    assert.ok(plan.command.argv.join(' ').includes('--revision v1.1'));
  });

  it('docker form: GPUs, IPC, the HF cache mounted, HF_TOKEN passed through, listening inside on 0.0.0.0', () => {
    const { plan, model, facts } = build('2x-a100-80gb', { gpus: [1] });
    const docker = buildVllmDockerCommand(plan, model, facts, { host: '127.0.0.1', port: 8001 });
    const text = renderShellCommand(docker.argv, docker.env, [HF_CACHE_MOUNT]);
    assert.match(text, /^docker run --rm --gpus '"device=1"' --ipc=host -p 127\.0\.0\.1:8001:8001 -v "\$HOME\/\.cache\/huggingface:\/root\/\.cache\/huggingface" -e HF_TOKEN vllm\/vllm-openai:latest mistralai\/Devstral-Small-2507 /);
    assert.ok(text.includes('--host 0.0.0.0 --port 8001'));
    assert.match(renderShellCommand(buildVllmDockerCommand(plan, model, facts, { host: '::1', port: 8001 }).argv), / -p '\[::1\]:8001:8001' /);
    assert.throws(() => buildVllmDockerCommand(plan, model, facts, { host: 'my-box.local', port: 8001 }), /IP address/);
  });
});

describe('llama.cpp and Ollama commands', () => {
  it('devstral serve carries the plan: model, context, GPU layers, backend', () => {
    const { plan } = build('laptop-8gb-gpu-32gb-ram');
    const text = plan.command.argv.join(' ');
    assert.match(text, /^devstral serve --model hf:mistralai\/Devstral-Small-2507_gguf\/Devstral-Small-2507-Q4_K_M\.gguf --ctx 32768 --gpu cuda --gpu-layers \d+ --kv-cache-type q8_0/);
    assert.equal(plan.command.argv[plan.command.argv.indexOf('--gpu-layers') + 1], String(plan.gpuLayers));
  });

  it('llama-server: --jinja, the HF file, -ngl 999 for full offload, sampling defaults', () => {
    const { plan, model, facts } = build('rtx-4090');
    const { argv } = buildLlamaServerCommand(plan, model, facts, { host: '127.0.0.1', port: 8080, servedModelName: 'devstral' });
    const text = argv.join(' ');
    assert.match(text, /^llama-server --hf-repo mistralai\/Devstral-Small-2507_gguf --hf-file Devstral-Small-2507-Q\d_K_M\.gguf --jinja -c \d+ -ngl 999 --temp 0\.15 --min-p 0\.01 --alias devstral --host 127\.0\.0\.1 --port 8080$/);
  });

  it('--gpus restricts llama.cpp and Ollama to the chosen GPUs too (in PCI order)', () => {
    const { plan, model, facts } = build('2x-rtx-4090', { runtime: 'llamacpp', gpus: [1] });
    assert.deepEqual(plan.command.env, { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '1' });
    assert.equal(buildLlamaServerCommand(plan, model, facts, resolveServeOptions(plan, facts, { host: '127.0.0.1' })).env.CUDA_VISIBLE_DEVICES, '1');
    assert.equal(build('2x-rtx-4090', { runtime: 'ollama', gpus: [0] }).plan.command.env.CUDA_VISIBLE_DEVICES, '0');
    assert.deepEqual(build('2x-rtx-4090', { runtime: 'llamacpp' }).plan.command.env, {}, 'all GPUs: no restriction');
  });

  it('across nodes: every node\'s command uses only options in the vendored list; rank 0 serves, the others run headless', () => {
    const { plan, model, facts } = build('4x-h100-80gb', { nodes: 2 }, { host: '0.0.0.0', port: 8000, apiKey: 'k' }, 'devstral-2');
    assert.deepEqual([plan.runtime, plan.tensorParallelSize, plan.pipelineParallelSize, plan.nodes], ['vllm', 4, 2, 2]);
    const serve = resolveServeOptions(plan, facts, { host: '0.0.0.0', port: 8000, apiKey: 'k' });
    for (const docker of [false, true]) {
      const nodes = vllmNodeCommands(plan, model, facts, serve, docker);
      assert.equal(nodes.length, 2);
      nodes.forEach((node, rank) => {
        const args = docker ? node.argv.slice(node.argv.indexOf('vllm/vllm-openai:latest') + 1) : node.argv;
        for (const flag of optionsOf(args)) assert.ok(VLLM_FLAGS_LATEST.has(flag), `${flag} (node ${rank}) is a vLLM option`);
        const text = args.join(' ');
        assert.match(text, new RegExp(`--tensor-parallel-size 4 --pipeline-parallel-size 2 .*--nnodes 2 --node-rank ${rank} --master-addr \\$HEAD_ADDR`));
        assert.equal(args.includes('--headless'), rank > 0);
        if (docker) assert.ok(node.argv.includes('--network') && !node.argv.includes('-p'), 'host network across nodes');
      });
      assert.equal(JSON.stringify(nodes).includes('VLLM_API_KEY=k') || nodes.every((n) => n.env.VLLM_API_KEY === 'k' || n.argv.includes('VLLM_API_KEY=k')), true, 'the key in the environment, not on the command line');
    }
    assert.ok(multiNodeChecklist(plan, model).some((l) => /same vLLM version/.test(l)));
  });

  it('a running Ollama is reused where it listens: nothing started, the context set through the derived model', () => {
    const catalogFacts = catalog.hardware.find((h) => h.id === 'rtx-4090')!;
    const facts = { ...catalogFacts, runtimes: { ollama: { version: '0.13.0', running: true, host: 'http://127.0.0.1:11500' } } };
    const plan = planLaunch(facts, catalog.models.find((m) => m.id === 'devstral-small-1.1')!, {}, { host: '127.0.0.1' });
    assert.equal(plan.runtime, 'ollama');
    assert.deepEqual(plan.command.argv, []);
    assert.equal(plan.command.setup![0]!.env!.OLLAMA_HOST, '127.0.0.1:11500');
    assert.equal(plan.endpoint.baseUrl, 'http://127.0.0.1:11500/v1');
    assert.match(plan.endpoint.model, /^devstral-small-1\.1-\d+k$/);
  });

  it('ollama: a server with the context set, the pull, and a derived model with num_ctx', () => {
    const { plan } = build('apple-m2-max-32gb', { runtime: 'ollama' }, { host: '127.0.0.1', port: 11500 });
    assert.equal(plan.command.env.OLLAMA_HOST, '127.0.0.1:11500');
    assert.equal(plan.command.env.OLLAMA_CONTEXT_LENGTH, String(plan.contextLength));
    assert.deepEqual(plan.command.setup![0]!.argv, ['ollama', 'pull', plan.artifact.ollama]);
    assert.equal(plan.command.setup![1]!.argv[1], 'create');
    assert.match(plan.command.files![0]!.content, /^FROM hf\.co\/mistralai\/Devstral-Small-2507_gguf:Q\d_K_M\nPARAMETER num_ctx \d+\nPARAMETER temperature 0\.15\n$/);
  });
});

describe('shell quoting', () => {
  const values = ['plain', '', 'with space', "it's", '"double"', '$HOME', '`cmd`', 'a\nb', '{"temperature":0.15}', '*?[]', 'back\\slash', 'ünïcode', '-dash', '!bang'];
  it('round-trips any value through a real POSIX shell', () => {
    const script = `for a in ${values.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`;
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), values);
  });
  it('leaves safe words bare, expands only our own $HOME words', () => {
    assert.equal(shellQuote('--port'), '--port');
    assert.equal(shellQuote('$HOME/.cache/x:/y'), "'$HOME/.cache/x:/y'");
    assert.equal(renderShellCommand(['$HOME/x'], {}, ['$HOME/x']), '"$HOME/x"');
    assert.equal(renderShellCommand(['a b'], { K: 'v w' }), "K='v w' 'a b'");
  });
});
