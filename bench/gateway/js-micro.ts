// bench:gateway --js-micro: the gateway's own JavaScript per non-streaming OpenAI chat request, in this process,
// without sockets or node:http: the request body's JSON, its validation, the frame to the node, the node's
// result frame and JSON, and the answer's body. What is left of the orchestrator's CPU per request in the real
// benchmark is Node's HTTP server, the event loop and the kernel's sockets.
import { encodeFrame, FrameDecoder, FrameType, type DataPlaneResult } from '@orchion/proto';
import { body } from '../../orchestrator/src/gateway/dispatch';
import { openaiFormat, parseChat } from '../../orchestrator/src/gateway/openai';
import { f } from '../lib/format';

export function runJsMicro(iterations: number): void {
  const messages = [{ role: 'user', content: 'hello from the gateway benchmark, eight words' }];
  const request = Buffer.from(JSON.stringify({ model: 'echo', messages, stream: false }));
  const result: DataPlaneResult = {
    text: messages[0]!.content,
    stopReason: 'eogToken',
    promptTokens: 8,
    completionTokens: 8,
    durationMs: 0,
    runtime: 'echo',
  };
  const resultText = JSON.stringify(result);
  const resultFrame = encodeFrame(FrameType.Done, 1, resultText);
  let sink = 0;
  const decoder = new FrameDecoder((_type, _id, payload) => void (sink += payload.length));
  const requestObject: unknown = JSON.parse(request.toString('utf8'));
  const parsed = parseChat(requestObject);
  const format = openaiFormat('chat', 'echo', false);
  const parts: [string, () => void][] = [
    [
      'JSON.parse of the request body',
      () => void (sink += (JSON.parse(request.toString('utf8')) as object) ? 1 : 0),
    ],
    ['parseChat (validation)', () => void (sink += parseChat(requestObject).call.model.length)],
    [
      'openaiFormat (ids, stream prefixes)',
      () => void (sink += openaiFormat('chat', 'echo', false).streamType.length),
    ],
    [
      'the GENERATE frame (body, JSON.stringify, encodeFrame)',
      () =>
        void (sink += encodeFrame(FrameType.Generate, 1, JSON.stringify(body(parsed.call, '', 0))).length),
    ],
    ['the DONE frame decoded', () => decoder.push(resultFrame)],
    [
      'JSON.parse of the result',
      () => void (sink += (JSON.parse(resultText) as DataPlaneResult).text.length),
    ],
    [
      'the answer body (text) and its byte length',
      () => void (sink += Buffer.byteLength(format.body(result))),
    ],
  ];
  console.log(`bench:gateway --js-micro: µs per call, ${f(iterations)} calls after as many to warm up\n`);
  console.log('| part | µs |');
  console.log('|---|---:|');
  let total = 0;
  for (const [name, fn] of parts) {
    for (let i = 0; i < iterations; i++) fn();
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    const us = ((performance.now() - t) * 1000) / iterations;
    total += us;
    console.log(`| ${name} | ${f(us, 2)} |`);
  }
  console.log(`| **all** | **${f(total, 2)}** |`);
  if (sink === 0) console.log('(nothing measured)');
}
