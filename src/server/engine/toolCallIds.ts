/**
 * Tool-call ids. Mistral's chat templates require exactly 9 alphanumeric characters; OpenAI clients send
 * their own (`call_abc123...`). Pure: randomness is injected, mapping is a hash.
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const TOOL_CALL_ID_LENGTH = 9;

export function isMistralToolCallId(id: string): boolean {
  return /^[a-zA-Z0-9]{9}$/.test(id);
}

/** A fresh id from `random` (like Math.random: [0, 1)); out-of-range values are clamped. */
export function newToolCallId(random: () => number): string {
  let id = '';
  for (let i = 0; i < TOOL_CALL_ID_LENGTH; i++) {
    const k = Math.floor(random() * ALPHABET.length);
    id += ALPHABET.charAt(k >= 0 && k < ALPHABET.length ? k : k >= ALPHABET.length ? ALPHABET.length - 1 : 0);
  }
  return id;
}

/**
 * The id to render in a Mistral prompt for a client's id: 9-alphanumeric ids pass through; any other maps
 * deterministically (sha256), so an assistant tool_call and its tool result, resent every turn, agree.
 */
export function mistralToolCallId(clientId: string): string {
  if (isMistralToolCallId(clientId)) return clientId;
  const digest = createHash('sha256').update(clientId, 'utf8').digest();
  let id = '';
  for (let i = 0; i < TOOL_CALL_ID_LENGTH; i++) id += ALPHABET.charAt(digest[i]! % ALPHABET.length);
  return id;
}
