import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { HardwareFacts } from '../../src/hardware/hardwareFacts.ts';
import { planLaunch } from '../../src/plan/planLaunch.ts';
import type { Plan, PlanOptions } from '../../src/planShapes.ts';
import { readProfilesDir, type ProfileCatalog } from '../../src/profiles/profileCatalog.ts';
import { bitsPerWeight } from '../../src/plan/quantization.ts';
import { DevstralError } from '../../src/errors.ts';

let catalog: ProfileCatalog;
before(async () => {
  catalog = await readProfilesDir();
});

const hw = (id: string) => {
  const facts = catalog.hardware.find((h) => h.id === id);
  assert.ok(facts, `hardware profile ${id}`);
  return facts;
};
const model = (id = 'devstral-small-1.1') => catalog.models.find((m) => m.id === id)!;
const plan = (facts: HardwareFacts, options: PlanOptions = {}, modelId?: string): Plan =>
  planLaunch(facts, model(modelId), options, { host: '127.0.0.1' });
const GiB = 1024 ** 3;

/** The plan's own numbers must add up and stay within its budget. */
function assertConsistent(p: Plan) {
  const used = p.memory.weightsBytes + p.memory.kvCacheBytes + p.memory.overheadBytes;
  assert.ok(used <= p.memory.budgetBytes * 1.0001, `uses ${used} of ${p.memory.budgetBytes}`);
  assert.ok(p.contextLength > 0 && p.contextLength <= 262144);
  assert.ok(p.reasons.length > 0, 'a plan explains itself');
  for (const key of ['model', 'runtime', 'artifact', 'contextLength', 'tensorParallelSize', 'gpuLayers', 'kvCacheType', 'memory', 'command', 'reasons', 'warnings', 'alternatives']) assert.ok(key in p, key);
}

describe('planLaunch on the reference machines', () => {
  it('1x RTX 4090: llama.cpp, a GGUF of Q4_K_M or better fully on the GPU, context >= 32k', () => {
    const p = plan(hw('rtx-4090'));
    assertConsistent(p);
    assert.equal(p.runtime, 'llamacpp');
    assert.equal(p.artifact.format, 'gguf');
    assert.ok(bitsPerWeight(p.artifact.quantization)! >= bitsPerWeight('Q4_K_M')!);
    assert.equal(p.gpuLayers, p.layers);
    assert.ok(p.contextLength >= 32768);
    assert.equal(p.device, 'cuda');
    assert.ok(p.alternatives.some((a) => a.runtime === 'vllm'), 'says why not vLLM');
  });

  it('2x A100 80GB: vLLM BF16, TP 2, context 131072', () => {
    const p = plan(hw('2x-a100-80gb'));
    assertConsistent(p);
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.artifact.quantization, 'bf16');
    assert.equal(p.tensorParallelSize, 2);
    assert.equal(p.contextLength, 131072);
    assert.equal(p.gpuLayers, null);
  });

  it('1x H100 80GB: vLLM BF16, TP 1', () => {
    const p = plan(hw('1x-h100-80gb'));
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.artifact.quantization, 'bf16');
    assert.equal(p.tensorParallelSize, 1);
    assert.equal(p.contextLength, 131072);
  });

  it('2x RTX 4090: vLLM with a checkpoint that fits (BF16 does not), TP 2, with the reason', () => {
    const p = plan(hw('2x-rtx-4090'));
    assert.equal(p.runtime, 'vllm');
    assert.notEqual(p.artifact.quantization, 'bf16');
    assert.equal(p.tensorParallelSize, 2);
    assert.ok(p.contextLength >= 32768);
    // 2 x 24 GiB cannot hold 47 GB of BF16 with a KV cache: the plan must still fit per GPU.
    const perGpu = (p.memory.weightsBytes + p.memory.kvCacheBytes + p.memory.overheadBytes) / 2;
    assert.ok(perGpu <= 0.9 * 24564 * 1024 ** 2);
    assert.ok(p.command.env.NCCL_P2P_DISABLE === '1', 'GeForce cards have no peer-to-peer');
    assert.ok(p.reasons.some((r) => /^not bf16: .*GiB/.test(r)), 'says why BF16 does not fit');
  });

  it('Apple M2 Max 32 GB: llama.cpp on Metal within the working-set limit', () => {
    const facts = hw('apple-m2-max-32gb');
    const p = plan(facts);
    assertConsistent(p);
    assert.equal(p.runtime, 'llamacpp');
    assert.equal(p.device, 'metal');
    assert.equal(p.gpuLayers, p.layers);
    assert.ok(p.memory.gpuBytes! <= facts.gpus[0]!.memoryMiB * 1024 ** 2);
    assert.ok(p.contextLength >= 32768);
  });

  it('8 GB laptop GPU + 32 GB RAM: partial offload with a speed warning', () => {
    const p = plan(hw('laptop-8gb-gpu-32gb-ram'));
    assertConsistent(p);
    assert.equal(p.runtime, 'llamacpp');
    assert.ok(p.gpuLayers! > 0 && p.gpuLayers! < p.layers);
    assert.ok(p.memory.gpuBytes! <= 8188 * 1024 ** 2);
    assert.ok(p.warnings.some((w) => /partial offload/.test(w)));
  });

  it('18 GB Mac: a smaller quantization that explains itself', () => {
    const p = plan(hw('apple-m3-pro-18gb'));
    assertConsistent(p);
    assert.ok(bitsPerWeight(p.artifact.quantization)! < bitsPerWeight('Q4_K_M')!);
    assert.ok(p.warnings.some((w) => /below Q4_K_M/.test(w)));
    assert.ok(p.reasons.some((r) => /^not Q4_K_M: /.test(r) || /^not /.test(r)), 'says why the official files do not fit');
    assert.ok(p.contextLength >= 4096);
  });

  it('16 GB Mac with --quant Q4_K_M: a refusal that shows needed vs available', () => {
    assert.throws(
      () => plan(hw('apple-m1-16gb'), { quant: 'Q4_K_M' }),
      (e: DevstralError) => e.code === 'noPlan' && e.details.some((d) => /needs [\d.]+ GiB; [\d.]+ GiB of unified memory available/.test(d)),
    );
  });

  it('no GPU (like this machine): a CPU plan with a speed warning', () => {
    const facts: HardwareFacts = { os: 'linux', arch: 'x64', cpu: { model: 'AMD EPYC', cores: 2 }, memory: { totalMiB: 24064, availableMiB: 22000 }, gpus: [] };
    const p = plan(facts);
    assertConsistent(p);
    assert.equal(p.runtime, 'llamacpp');
    assert.equal(p.device, 'cpu');
    assert.equal(p.gpuLayers, 0);
    assert.equal(p.artifact.quantization, 'Q4_K_M');
    assert.ok(p.warnings.some((w) => /no usable GPU/.test(w)));
    assert.ok(p.command.argv.includes('none'));
  });

  it('4x L4: vLLM BF16 at TP 4', () => {
    const p = plan(hw('4x-l4'));
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.tensorParallelSize, 4);
    assert.equal(p.artifact.quantization, 'bf16');
  });

  it('every hardware profile x model profile gives a consistent plan or an explained refusal', () => {
    for (const m of catalog.models) {
      for (const h of catalog.hardware) {
        try {
          const p = plan(h, {}, m.id);
          assertConsistent(p);
          assert.equal(p.model, m.id);
          if (p.contextLength < 32768) assert.ok(p.warnings.some((w) => /below 32768/.test(w)), `${m.id} on ${h.id} warns about its context`);
        } catch (error) {
          assert.ok(error instanceof DevstralError, `${m.id} on ${h.id}: ${String(error)}`);
          assert.equal(error.code, 'noPlan');
          assert.ok(error.details.length > 0 && error.hint, `${m.id} on ${h.id} refusal explains itself`);
        }
      }
    }
  });
});

describe('planLaunch follows the user', () => {
  it('--runtime vllm on one 4090 takes the 4-bit vLLM checkpoint', () => {
    const p = plan(hw('rtx-4090'), { runtime: 'vllm' });
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.artifact.quantization, 'awq-int4');
    assert.equal(p.command.argv.includes('--load-format'), false, 'HF-layout checkpoint: no Mistral load format');
  });

  it('--runtime vllm on a Mac is refused with the reason', () => {
    assert.throws(() => plan(hw('apple-m2-max-32gb'), { runtime: 'vllm' }), (e: DevstralError) => e.code === 'noPlan' && e.details.some((d) => /Linux/.test(d)));
  });

  it('--quant Q4_K_M and --ctx 65536 are honoured', () => {
    const p = plan(hw('rtx-4090'), { quant: 'q4_k_m', ctx: 65536 });
    assert.equal(p.artifact.quantization, 'Q4_K_M');
    assert.equal(p.contextLength, 65536);
  });

  it('--ctx that does not fit is refused with numbers', () => {
    assert.throws(() => plan(hw('rtx-4090'), { runtime: 'vllm', ctx: 131072 }), (e: DevstralError) => e.code === 'noPlan' && e.details.some((d) => /--ctx 131072 does not fit: at most \d+ tokens/.test(d)));
    assert.throws(() => plan(hw('2x-rtx-4090'), { runtime: 'vllm', quant: 'bf16' }), (e: DevstralError) => e.details.some((d) => /GiB/.test(d)));
  });

  it('a small --ctx keeps vLLM (it is not below a minimum the user set)', () => {
    const p = plan(hw('1x-h100-80gb'), { ctx: 4096 });
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.contextLength, 4096);
  });

  it('--min-ctx is a minimum: a machine that cannot reach it gets a refusal with what fits and what it would take', () => {
    assert.throws(() => plan(hw('cpu-only-16gb'), { minCtx: 32768 }), (e: DevstralError) => {
      assert.equal(e.code, 'noPlan');
      assert.match(e.message, /does not fit with at least 32768 tokens of context/);
      assert.ok(e.details.some((d) => /with 32768 tokens needs [\d.]+ GiB; [\d.]+ GiB of RAM available/.test(d)), e.details.join('\n'));
      assert.match(e.hint!, /--min-ctx \d+ \(the most that fits here\)/);
      return true;
    });
    // Without --min-ctx the default aim is softer: a smaller context, with a warning.
    const p = plan(hw('cpu-only-16gb'));
    assert.ok(p.contextLength < 32768 && p.warnings.some((w) => /below 32768/.test(w)));
  });

  it('the largest context named in a refusal is the largest any file gives, not the first one tried', () => {
    assert.throws(() => plan(hw('cpu-only-16gb'), { minCtx: 65536 }), (e: DevstralError) => {
      const fits = Number(/--min-ctx (\d+)/.exec(e.hint!)![1]);
      // Every file that fits with a smaller context fits with at most that many tokens.
      assert.ok(fits >= plan(hw('cpu-only-16gb')).contextLength, `${fits}`);
      assert.throws(() => plan(hw('cpu-only-16gb'), { minCtx: fits + 1024 }));
      assert.equal(plan(hw('cpu-only-16gb'), { minCtx: fits }).contextLength >= fits, true);
      return true;
    });
  });

  it('--ctx and --min-ctx above the model maximum are usage errors', () => {
    assert.throws(() => plan(hw('1x-h100-80gb'), { minCtx: 200000 }), (e: DevstralError) => e.code === 'usage' && /--min-ctx 200000/.test(e.message));
    assert.throws(() => plan(hw('1x-h100-80gb'), { ctx: 200000 }), (e: DevstralError) => e.code === 'usage');
  });

  it('--quant for another runtime is a usage error', () => {
    assert.throws(() => plan(hw('1x-h100-80gb'), { runtime: 'vllm', quant: 'Q4_K_M' }), (e: DevstralError) => e.code === 'usage' && /bf16/.test(e.hint!));
  });

  it('--runtime vllm where vLLM cannot run says so, not "does not fit"', () => {
    assert.throws(() => plan(hw('cpu-only-64gb'), { runtime: 'vllm' }), (e: DevstralError) => e.code === 'noPlan' && /cannot run on vllm/.test(e.message) && /Linux with NVIDIA/.test(e.hint!));
  });

  it('a GPU with no room falls back to the CPU plan, not to the biggest file', () => {
    const busy = { ...hw('rtx-4090'), gpus: hw('rtx-4090').gpus.map((g) => ({ ...g, freeMiB: 2000 })) };
    const p = plan(busy);
    assertConsistent(p);
    assert.equal(p.device, 'cpu');
    assert.equal(p.artifact.quantization, 'Q4_K_M');
    assert.ok(!p.warnings.some((w) => /partial offload/.test(w)));
    assert.ok(p.warnings.some((w) => /GPU has no room/.test(w)));
  });

  it('free memory above total is not believed', () => {
    const odd = { ...hw('rtx-4090'), gpus: hw('rtx-4090').gpus.map((g) => ({ ...g, freeMiB: 50000 })) };
    const p = plan(odd);
    assert.ok(p.memory.gpuBytes! <= 24564 * 1024 ** 2);
  });

  it('an Intel Mac plans for the CPU (node-llama-cpp has no Metal there)', () => {
    const intelMac: HardwareFacts = { os: 'darwin', arch: 'x64', cpu: { model: 'Intel Core i9', cores: 8 }, memory: { totalMiB: 65536 }, gpus: [{ vendor: 'amd', name: 'AMD Radeon Pro 5500M', memoryMiB: 8192 }] };
    assert.equal(plan(intelMac).device, 'cpu');
  });

  it('idle GPUs are explained: 3 identical GPUs run tensor parallel 2', () => {
    const three = { ...hw('rtx-3090'), gpus: [0, 1, 2].map((index) => ({ ...hw('rtx-3090').gpus[0]!, index })) };
    const p = plan(three, { runtime: 'vllm' });
    assert.equal(p.tensorParallelSize, 2);
    assert.ok(p.reasons.some((r) => /2 of 3 GPUs/.test(r)));
  });

  it('mixed GPUs: vLLM takes the newer one at equal count', () => {
    const mixed: HardwareFacts = { ...hw('rtx-4090'), gpus: [
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3090', memoryMiB: 24576, computeCapability: '8.6', index: 0 },
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, computeCapability: '8.9', index: 1 },
    ] };
    assert.deepEqual(plan(mixed, { runtime: 'vllm' }).gpus, [1]);
  });

  it('hf: references restrict the plan to that repo', () => {
    assert.throws(() => plan(hw('rtx-4090'), { repo: 'mistralai/Devstral-Small-2507' }), (e: DevstralError) => e.code === 'noPlan');
    const p = plan(hw('rtx-4090'), { repo: 'mistralai/Devstral-Small-2507_gguf' });
    assert.match(p.artifact.source, /Devstral-Small-2507_gguf/);
  });

  it('listening on all interfaces without an API key is warned about', () => {
    const p = planLaunch(hw('rtx-4090'), model(), {}, { host: '0.0.0.0' });
    assert.ok(p.warnings.some((w) => /without --api-key/.test(w)));
    assert.equal(p.endpoint.baseUrl, 'http://127.0.0.1:8000/v1');
  });

  it('--tp must divide the heads and fit the GPUs', () => {
    assert.throws(() => plan(hw('2x-a100-80gb'), { tp: 4 }), (e: DevstralError) => e.code === 'usage' && /--tp 4 needs 4 identical/.test(e.message));
    assert.throws(() => plan(hw('8x-h100-80gb'), { tp: 3 }), (e: DevstralError) => e.code === 'usage' && /1, 2, 4, 8/.test(e.hint!));
    assert.equal(plan(hw('2x-a100-80gb'), { tp: 1 }).tensorParallelSize, 1);
    assert.equal(plan(hw('8x-h100-80gb'), { tp: 8 }).tensorParallelSize, 8);
  });

  it('--gpus selects a subset and the command restricts CUDA_VISIBLE_DEVICES', () => {
    const p = plan(hw('2x-a100-80gb'), { gpus: [1] });
    assert.equal(p.tensorParallelSize, 1);
    assert.deepEqual(p.gpus, [1]);
    assert.equal(p.command.env.CUDA_VISIBLE_DEVICES, '1');
    assert.throws(() => plan(hw('2x-a100-80gb'), { gpus: [5] }), /no GPU with index 5/);
  });

  it('unknown --quant is a usage error that lists the choices', () => {
    assert.throws(() => plan(hw('rtx-4090'), { quant: 'Q9_Z' }), (e: DevstralError) => e.code === 'usage' && /Q4_K_M/.test(e.hint ?? ''));
  });

  it('--runtime ollama uses the hf.co reference and sets the context for real', () => {
    const p = plan(hw('rtx-4090'), { runtime: 'ollama' });
    assert.equal(p.runtime, 'ollama');
    assert.match(p.artifact.ollama!, /^hf\.co\/mistralai\/Devstral-Small-2507_gguf:/);
    assert.equal(p.command.env.OLLAMA_CONTEXT_LENGTH, String(p.contextLength));
    assert.ok(p.command.files![0]!.content.includes(`PARAMETER num_ctx ${p.contextLength}`));
    assert.ok(p.command.argv.join(' ') === 'ollama serve');
  });

  it('a running Ollama is reused (design: the user already runs it)', () => {
    const facts = { ...hw('rtx-4090'), runtimes: { ollama: { version: '0.13.0', running: true } } };
    assert.equal(plan(facts).runtime, 'ollama');
  });

  it('fits come from memory numbers, not names: a renamed GPU plans the same', () => {
    const a = plan(hw('2x-a100-80gb'));
    const renamed = { ...hw('2x-a100-80gb'), gpus: hw('2x-a100-80gb').gpus.map((g) => ({ ...g, name: 'Mystery Accelerator' })) };
    const b = plan(renamed);
    assert.equal(b.runtime, a.runtime);
    assert.equal(b.contextLength, a.contextLength);
    assert.equal(b.tensorParallelSize, a.tensorParallelSize);
  });

  it('busy GPU memory lowers --gpu-memory-utilization and says so', () => {
    const facts = { ...hw('1x-h100-80gb'), gpus: hw('1x-h100-80gb').gpus.map((g) => ({ ...g, freeMiB: 60000 })) };
    const p = plan(facts);
    assert.ok(p.gpuMemoryUtilization! < 0.9);
    assert.ok(p.warnings.some((w) => /gpu-memory-utilization lowered/.test(w)));
  });

  it('the planner is pure: the same input gives the same plan and nothing is printed', () => {
    const log = console.log;
    let printed = false;
    console.log = () => void (printed = true);
    try {
      assert.deepEqual(plan(hw('rtx-4090')), plan(hw('rtx-4090')));
    } finally {
      console.log = log;
    }
    assert.equal(printed, false);
  });

  it('the memory breakdown of a vLLM plan matches the architecture (160 KiB per token of BF16 KV)', () => {
    const p = plan(hw('2x-a100-80gb'));
    assert.equal(p.memory.kvCacheBytes, 131072 * 160 * 1024);
    assert.ok(p.memory.weightsBytes > 47e9 && p.memory.weightsBytes < 47.2e9);
    assert.ok(p.memory.budgetBytes > 2 * 70 * GiB);
  });
});

/** What `up --for claude` plans (parseOptions turns --for into these options). */
const forClaude: PlanOptions = { minCtx: 65536, forAgent: 'Claude Code' };

describe('planning for Claude Code (--for claude) on the reference machines', () => {
  const reason = (p: Plan) => p.reasons.find((r) => r.includes('for Claude Code (--for)'))!;

  it('RTX 4090: the whole model on the GPU, a q8_0 KV cache traded for 64k+ tokens', () => {
    const p = plan(hw('rtx-4090'), forClaude);
    assertConsistent(p);
    assert.equal(p.runtime, 'llamacpp');
    assert.equal(p.gpuLayers, p.layers);
    assert.ok(p.contextLength >= 65536);
    assert.equal(p.kvCacheType, 'q8_0');
    assert.ok(plan(hw('rtx-4090')).contextLength < 65536, 'the default plan has less');
    assert.match(reason(p), /at least 65536 tokens .* planned instead of \d+, trading q8_0 KV cache instead of f16/);
  });

  it('2x RTX 4090: vLLM over both GPUs already has the context; nothing traded', () => {
    const p = plan(hw('2x-rtx-4090'), forClaude);
    assertConsistent(p);
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.tensorParallelSize, 2);
    assert.ok(p.contextLength >= 65536);
    assert.match(reason(p), /nothing traded/);
  });

  it('Apple M2 Max 32 GB: a smaller weight quantization traded for the context, still Q4_K_M or better', () => {
    const p = plan(hw('apple-m2-max-32gb'), forClaude);
    const base = plan(hw('apple-m2-max-32gb'));
    assertConsistent(p);
    assert.equal(p.device, 'metal');
    assert.ok(p.contextLength >= 65536 && base.contextLength < 65536);
    assert.ok(bitsPerWeight(p.artifact.quantization)! >= bitsPerWeight('Q4_K_M')!);
    assert.ok(bitsPerWeight(p.artifact.quantization)! < bitsPerWeight(base.artifact.quantization)!);
    assert.match(reason(p), new RegExp(`trading ${p.artifact.quantization} weights instead of ${base.artifact.quantization}`));
  });

  it('2x A100 80 GB: vLLM BF16 at tensor parallel 2, the full 128k window', () => {
    const p = plan(hw('2x-a100-80gb'), forClaude);
    assertConsistent(p);
    assert.equal(p.runtime, 'vllm');
    assert.equal(p.artifact.quantization, 'bf16');
    assert.equal(p.contextLength, 131072);
    assert.match(reason(p), /nothing traded/);
  });

  it('CPU only, 64 GB: 64k tokens on the CPU, above the usual CPU cap', () => {
    const p = plan(hw('cpu-only-64gb'), forClaude);
    assertConsistent(p);
    assert.equal(p.device, 'cpu');
    assert.ok(p.contextLength >= 65536);
    assert.ok(plan(hw('cpu-only-64gb')).contextLength < p.contextLength);
  });

  it('a machine that cannot reach it refuses, naming the agent and the most it can give', () => {
    assert.throws(() => plan(hw('apple-m3-pro-18gb'), forClaude), (e: DevstralError) => {
      assert.equal(e.code, 'noPlan');
      assert.match(e.message, /at least 65536 tokens of context \(what Claude Code needs\)/);
      assert.match(e.hint!, /--min-ctx \d+ instead of --for \(the most that fits here\)/);
      return true;
    });
  });
});

describe('Devstral 2 (123B)', () => {
  const d2 = (hardware: string, options: PlanOptions = {}) => plan(hw(hardware), options, 'devstral-2');

  it('8x H100: vLLM, the official FP8 weights at tensor parallel 8, the full 256k window', () => {
    const p = d2('8x-h100-80gb');
    assertConsistent(p);
    assert.deepEqual([p.runtime, p.artifact.id, p.tensorParallelSize, p.pipelineParallelSize, p.nodes], ['vllm', 'fp8', 8, 1, 1]);
    assert.equal(p.contextLength, 262144);
    assert.ok(p.warnings.some((w) => /estimated/.test(w)), 'the size of the official weights is not published: said');
    assert.ok(!p.command.argv.includes('--tokenizer-mode'), 'the card passes no format flags');
  });

  it('two 4x H100 nodes: tensor parallel 4 inside each, pipeline parallel 2 across', () => {
    const p = d2('4x-h100-80gb', { nodes: 2 });
    assertConsistent(p);
    assert.deepEqual([p.runtime, p.tensorParallelSize, p.pipelineParallelSize, p.nodes], ['vllm', 4, 2, 2]);
    assert.ok(p.reasons.some((r) => /pipeline parallel 2 across them, tensor parallel 4 inside each/.test(r)));
    assert.ok(p.contextLength >= 65536);
    // The plan's own command is the head's (rank 0); devstral command prints every node's.
    assert.match(p.command.argv.join(' '), /--pipeline-parallel-size 2 .*--nnodes 2 --node-rank 0 --master-addr \$HEAD_ADDR$/);
  });

  it('a 24 GB card is refused: most of the model would be read from RAM for every token', () => {
    assert.throws(() => d2('rtx-4090'), (e: DevstralError) => {
      assert.equal(e.code, 'noPlan');
      assert.ok(e.details.some((d) => /would read [\d.]+ GiB of weights from RAM for every token/.test(d)), e.details.join('\n'));
      assert.doesNotMatch(e.hint!, /smaller --quant/, 'every file was tried');
      return true;
    });
    // Small 1.1 partly offloaded on a small card is still planned (a few GiB in RAM).
    assert.ok(plan(hw('laptop-8gb-gpu-32gb-ram')).gpuLayers! > 0);
  });

  it('--nodes is vLLM\'s: another runtime, or no NVIDIA GPU, is a usage error', () => {
    assert.throws(() => d2('apple-m3-max-128gb', { nodes: 2 }), (e: DevstralError) => e.code === 'usage' && /--nodes 2/.test(e.message));
  });
});
