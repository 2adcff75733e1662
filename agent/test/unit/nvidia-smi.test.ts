/**
 * NVIDIA GPUs read from nvidia-smi. No NVIDIA GPU here: the CSV is what nvidia-smi printed on an H200 (device check,
 * 2026-11-27), and the "nvidia-smi" run by the last tests is a test double (a shell script printing that CSV).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGpus } from '../../src/capabilities/collect.js';
import { parseNvidiaSmi, queryNvidiaSmi } from '../../src/capabilities/nvidia-smi.js';

const MiB = 1024 * 1024;
const H200 = '0, NVIDIA H200, 00000000:00:06.0, 143771, 0, 0, 92.72, 700.00, 39\n';
const H200_GPU = {
  index: 0,
  vendor: 'NVIDIA',
  model: 'NVIDIA H200',
  bus: '00000000:00:06.0',
  vramTotalBytes: 143771 * MiB,
  vramUsedBytes: 0,
  utilizationPercent: 0,
  powerDrawWatts: 92.72,
  powerLimitWatts: 700,
  temperatureCelsius: 39,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-nvidia-smi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nvidia-smi', () => {
  it('parses its CSV, leaving out what a GPU does not support', () => {
    expect(parseNvidiaSmi(H200)).toEqual([H200_GPU]);
    const two = parseNvidiaSmi(
      H200 + '1, NVIDIA GeForce GTX 1080, 00000000:65:00.0, 8192, 512, [N/A], [N/A], [Not Supported], 40\n',
    );
    expect(two[1]).toEqual({
      index: 1,
      vendor: 'NVIDIA',
      model: 'NVIDIA GeForce GTX 1080',
      bus: '00000000:65:00.0',
      vramTotalBytes: 8192 * MiB,
      vramUsedBytes: 512 * MiB,
      temperatureCelsius: 40,
    });
    expect(
      parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n'),
    ).toEqual([]);
  });

  it('NVIDIA GPUs come from nvidia-smi when it answers, the others from systeminformation', async () => {
    expect(await collectGpus({ nvidiaSmi: async () => parseNvidiaSmi(H200) })).toEqual([H200_GPU]);
    // No nvidia-smi: what systeminformation finds (this machine has no GPU).
    expect(await collectGpus({ nvidiaSmi: async () => undefined })).toEqual([]);
  });

  it('runs the tool, and is undefined when it is missing or fails', async () => {
    const fake = join(dir, 'nvidia-smi');
    await writeFile(fake, `#!/bin/sh\nprintf '%s' '${H200}'\n`);
    await chmod(fake, 0o755);
    expect(await queryNvidiaSmi(fake)).toEqual([H200_GPU]);
    const failing = join(dir, 'failing-nvidia-smi');
    await writeFile(failing, '#!/bin/sh\necho "No devices were found"; exit 6\n');
    await chmod(failing, 0o755);
    expect(await queryNvidiaSmi(failing)).toBeUndefined();
    expect(await queryNvidiaSmi(join(dir, 'missing'))).toBeUndefined();
  });
});
