// Generates the TypeScript wire types and the JSON descriptor from orchion/v1/*.proto.
// `--check` regenerates into a temporary folder and fails if the committed files differ.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoFiles = ['orchion/v1/agent.proto'];
const check = process.argv.includes('--check');
const outDir = check ? mkdtempSync(join(tmpdir(), 'orchion-proto-')) : join(root, 'src/generated');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
execFileSync(
  process.execPath,
  [
    join(root, '../node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--includeDirs',
    root,
    '--outDir',
    outDir,
    ...protoFiles,
  ],
  { stdio: 'inherit' },
);
// The generator writes the absolute path of each .proto into the files; keep them checkout-independent.
const files = (d) =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
for (const f of files(outDir)) {
  writeFileSync(f, readFileSync(f, 'utf8').replaceAll(`Original file: ${root}/`, 'Original file: proto/'));
}
const pbRoot = new protobuf.Root();
pbRoot.loadSync(
  protoFiles.map((f) => join(root, f)),
  { keepCase: false },
);
writeFileSync(join(outDir, 'descriptor.json'), JSON.stringify(pbRoot.toJSON(), null, 1) + '\n');

if (check) {
  const committed = join(root, 'src/generated');
  const a = files(outDir)
    .map((f) => relative(outDir, f))
    .sort();
  const b = files(committed)
    .map((f) => relative(committed, f))
    .sort();
  const differ =
    a.join() !== b.join() ||
    a.some((f) => readFileSync(join(outDir, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
  rmSync(outDir, { recursive: true, force: true });
  if (differ) {
    console.error('proto/src/generated is out of date: run `npm run gen:proto` and commit the result.');
    process.exit(1);
  }
  console.log('proto: generated types are up to date');
}
