import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseLog, isLoadingProgress } from '../../src/up/diagnoseLog.ts';

describe('diagnoseLog', () => {
  const cases: [string, RegExp, number?][] = [
    ['INFO ...\nValueError: To serve at least one request with the models\'s max seq len (131072), (20.00 GiB KV cache is needed, which is larger than the available KV cache memory (9.34 GiB). Based on the available memory, the estimated maximum model length is 61200. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.', /KV cache holds only 61200 tokens/, 60416],
    ['ValueError: The model\'s max seq len (131072) is larger than the maximum number of tokens that can be stored in KV cache (48000). Try increasing `gpu_memory_utilization`', /48000/, 47104],
    ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB', /ran out of memory/],
    ['ValueError: Unknown version: v13 in /root/.cache/huggingface/hub/models--mistralai--Devstral-Small-2507', /mistral_common is too old/],
    ['OSError: [Errno 98] Address already in use', /port is already in use/],
    ['RuntimeError: CUDA error: no kernel image is available for execution on the device', /not supported/],
    ['llama_model_load: error loading model: invalid magic', /could not be loaded/],
  ];
  for (const [log, problem, retry] of cases) {
    it(problem.source, () => {
      const d = diagnoseLog(`starting\n${log}\nshutting down`)!;
      assert.ok(d, log);
      assert.match(d.problem, problem);
      assert.ok(d.hint.length > 0);
      assert.ok(d.lines.some((l) => log.split('\n').includes(l)), 'quotes the log line');
      assert.equal(d.retryContext, retry);
    });
  }
  it('an unknown failure gives no diagnosis', () => assert.equal(diagnoseLog('Traceback...\nKeyError: x'), undefined));
  it('vLLM loading progress is recognised', () => {
    assert.ok(isLoadingProgress('Loading safetensors checkpoint shards:  50% Completed | 1/2'));
    assert.ok(!isLoadingProgress('INFO: Uvicorn running'));
  });
});
