// The prompt for tokens/s comparisons on the tiny random-weight model, which may stop early on EOS: the first
// candidate that runs to max_tokens (else the one that ran longest), so every round generates the same count.

const CANDIDATE_PROMPTS = [
  'Once upon a time, in a cluster far away,',
  'The orchestrator placed the task on',
  'Write about fleets of machines:',
  'alpha beta gamma delta',
  'Hello',
  'The',
];

export async function pickFullLengthPrompt(
  generate: (prompt: string) => Promise<{ tokens: number }>,
  maxTokens: number,
): Promise<{ prompt: string; tokens: number }> {
  let prompt = CANDIDATE_PROMPTS[0]!;
  let best = -1;
  for (const candidate of CANDIDATE_PROMPTS) {
    const g = await generate(candidate);
    if (g.tokens > best) [prompt, best] = [candidate, g.tokens];
    if (g.tokens >= maxTokens) break;
  }
  return { prompt, tokens: best };
}
