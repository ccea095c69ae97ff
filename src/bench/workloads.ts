/** What a benchmark request sends. Pure (randomness is passed in). */
export type Workload = 'random' | 'agent';

const WORDS = 'the a function returns value error file test build module import class type string number array object async await promise server client request response cache token model context stream tool call argument result'.split(' ');

/** About `tokens` tokens of varied words (about one token per word). */
export function randomPrompt(tokens: number, random: () => number): string {
  return Array.from({ length: Math.max(1, tokens) }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
}

/** The shape of a coding agent's requests: a long system prompt, tool schemas, and a history that grows. */
export const AGENT_SYSTEM_PROMPT = [
  'You are Devstral, a helpful agentic model trained by Mistral AI and using the OpenHands scaffold. You can interact with a computer to solve tasks.',
  '<ROLE>Your primary role is to assist users by executing commands, modifying code, and solving technical problems effectively. Be thorough and methodical.</ROLE>',
  '<EFFICIENCY>Each action is costly: combine actions where you can, use efficient tools such as find, grep and git.</EFFICIENCY>',
  '<FILE_SYSTEM_GUIDELINES>When asked to change a file, edit it in place; do not create new versions with suffixes. Explore before you change.</FILE_SYSTEM_GUIDELINES>',
  '<CODE_QUALITY>Write clean, efficient code with minimal comments. Make the smallest change that solves the problem.</CODE_QUALITY>',
  '<TROUBLESHOOTING>If you are stuck, step back, list 5-7 possible causes, assess each, and address the most likely first.</TROUBLESHOOTING>',
].join('\n\n');

export const AGENT_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'execute_bash',
      description: 'Execute a bash command in the terminal. Long-running commands should run in the background.',
      parameters: { type: 'object', properties: { command: { type: 'string', description: 'The bash command to execute.' }, is_input: { type: 'string', enum: ['true', 'false'] } }, required: ['command'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'str_replace_editor',
      description: 'View, create and edit files: view, create, str_replace, insert, undo_edit.',
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'] },
          path: { type: 'string' },
          old_str: { type: 'string' },
          new_str: { type: 'string' },
          insert_line: { type: 'integer' },
        },
        required: ['command', 'path'],
      },
    },
  },
  { type: 'function', function: { name: 'finish', description: 'Finish the interaction when the task is complete.', parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } } },
];

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/** The n-th turn of an agent conversation: each turn adds the previous answer and a new observation. */
export function agentMessages(turn: number, random: () => number, promptTokens: number): Message[] {
  const messages: Message[] = [{ role: 'system', content: AGENT_SYSTEM_PROMPT }, { role: 'user', content: `Fix the failing test in the repository. ${randomPrompt(Math.max(8, promptTokens / 4), random)}` }];
  for (let i = 0; i < turn; i++) {
    messages.push({ role: 'assistant', content: `I will look at the code. ${randomPrompt(24, random)}` });
    messages.push({ role: 'user', content: `OBSERVATION:\n${randomPrompt(Math.max(16, promptTokens / 4), random)}` });
  }
  return messages;
}
