/** Option definitions shared by the commands that plan or launch. */
import type { OptionSpec } from './commandSpec.js';

export const planOptions: Record<string, OptionSpec> = {
  model: { type: 'string', describe: 'Model: profile id or alias, or hf:ORG/REPO[:QUANT] of a profile artifact (default devstral-small-1.1)' },
  hardware: { type: 'string', describe: 'Plan for a hardware profile id or a YAML/JSON file like `detect --json` prints (default: this machine)' },
  runtime: { type: 'string', describe: 'vllm | llamacpp | ollama (default: the planner chooses)' },
  quant: { type: 'string', describe: 'Quantization or artifact id, e.g. Q4_K_M, Q8_0, bf16, fp8' },
  ctx: { type: 'string', describe: 'Context length in tokens (e.g. 65536 or 64k)' },
  'min-ctx': { type: 'string', describe: 'Smallest acceptable context (default 32768)' },
  tp: { type: 'string', describe: 'vLLM tensor-parallel size' },
  gpus: { type: 'string', describe: 'GPU indices to use, e.g. 0,1 (default: all)' },
  nodes: { type: 'string', describe: 'Serve across N machines like --hardware (vLLM: tensor parallel inside each, pipeline parallel across)' },
  for: { type: 'string', describe: 'Plan the context this coding agent needs: claude, codex, opencode (64k), qwen, continue, cline, aider, openhands, vibe (32k)' },
};

export const serveOptions: Record<string, OptionSpec> = {
  host: { type: 'string', describe: 'Address to listen on (default 127.0.0.1: not exposed to the network)' },
  port: { type: 'string', describe: 'Port (default 8000; Ollama 11434)' },
  'api-key': { type: 'string', describe: 'Require this API key from clients' },
  'served-model-name': { type: 'string', describe: 'Model name clients use (default: the profile id)' },
};

/** How `serve` and `gateway` listen and whom they answer. */
export const listenOptions: Record<string, OptionSpec> = {
  host: { type: 'string', describe: 'Address to listen on (default 127.0.0.1: not exposed to the network)' },
  port: { type: 'string', describe: 'Port (default 8000)' },
  'allowed-hosts': { type: 'string', describe: 'Host names clients may use besides localhost, 127.0.0.1 and [::1], comma-separated (with a loopback --host, others get 403: DNS rebinding)' },
  'cors-origin': { type: 'string', describe: 'Web page origins allowed to call the server, comma-separated, or * (default: none)' },
  'api-key': { type: 'string', describe: 'Require this key (Authorization: Bearer or x-api-key); default: DEVSTRAL_API_KEY, else none' },
};

export const jsonOption: Record<string, OptionSpec> = { json: { type: 'boolean', describe: 'Print JSON' } };
